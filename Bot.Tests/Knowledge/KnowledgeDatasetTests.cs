using SupportBot.Knowledge;

namespace SupportBot.Tests.Knowledge;

// The labelled searches the knowledge base is tuned and judged on, and the proof that the held-out ones are never
// learnt from: the split follows a rule on the text, no held-out text is among the examples or the tuning sets, and
// the committed ranker was learnt from exactly the tuning files and articles there are now.
public sealed class KnowledgeDatasetTests
{
    static readonly string Root = KnowledgeFiles.ArticleDirectory;

    [Fact]
    public void There_are_at_least_400_labelled_chat_messages_with_at_least_30_percent_held_out_and_some_no_article_answers()
    {
        var tune = KnowledgeDataset.Tune(KnowledgeDataset.Messages);
        var heldOut = KnowledgeDataset.HeldOut(KnowledgeDataset.Messages);
        var all = tune.Concat(heldOut).ToList();

        Assert.True(all.Count >= 400, $"{all.Count} messages");
        Assert.True(heldOut.Count >= 0.30 * all.Count, $"{heldOut.Count} of {all.Count} held out");
        Assert.True(heldOut.Count(m => !m.Answerable) >= 40, "non-IT messages held out");
        Assert.Equal(all.Count, all.Select(m => m.Query.Trim().ToLowerInvariant()).Distinct().Count());
    }

    [Fact]
    public void Every_chat_message_and_newer_query_sits_in_the_split_the_rule_gives_it()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Root, KnowledgeDataset.Messages), "*.jsonl")
                     .Concat(Directory.GetFiles(Path.Combine(Root, KnowledgeDataset.Queries), "part-*-*.jsonl")))
        {
            var heldOutFile = file.EndsWith(".test.jsonl", StringComparison.Ordinal);
            Assert.True(heldOutFile || file.EndsWith(".tune.jsonl", StringComparison.Ordinal), file);
            Assert.All(KnowledgeDataset.Read(Path.GetDirectoryName(file)!, Path.GetFileName(file)),
                q => Assert.True(KnowledgeDataset.BelongsToHeldOut(q.Query) == heldOutFile, $"{Path.GetFileName(file)}: \"{q.Query}\""));
        }
    }

    [Fact]
    public void No_held_out_text_is_among_the_examples_the_index_and_ranker_learn_from()
    {
        var heldOut = KnowledgeDataset.HeldOut(KnowledgeDataset.Messages).Concat(KnowledgeDataset.HeldOut(KnowledgeDataset.Queries))
            .Select(q => Normal(q.Query)).ToHashSet();
        var examples = KnowledgeFiles.Examples();

        Assert.NotEmpty(examples);
        Assert.DoesNotContain(examples, e => heldOut.Contains(Normal(e.Query)));
        var articles = ArticleParser.LoadFolder(Root).Select(a => Normal($"{a.Title} {string.Join(' ', a.Tags)} {a.Body}")).ToList();
        Assert.DoesNotContain(heldOut.Where(h => h.Length > 30), h => articles.Any(a => a.Contains(h, StringComparison.Ordinal)));
    }

    // A change to a held-out file leaves the fingerprint of what the ranker learns from alone; a change to a tuning
    // file or an article does not.
    [Fact]
    public void The_training_fingerprint_covers_the_tuning_files_and_articles_and_never_a_held_out_file()
    {
        var copy = Directory.CreateTempSubdirectory("kb-");
        try
        {
            foreach (var file in Directory.GetFiles(Root, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(copy.FullName, Path.GetRelativePath(Root, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            var before = KnowledgeDataset.Fingerprint(copy.FullName);
            Assert.Equal(KnowledgeDataset.Fingerprint(Root), before);

            File.AppendAllText(Directory.GetFiles(Path.Combine(copy.FullName, KnowledgeDataset.Messages), "*.test.jsonl")[0], "{\"query\":\"changed\",\"ids\":[]}\n");
            Assert.Equal(before, KnowledgeDataset.Fingerprint(copy.FullName));

            File.AppendAllText(Directory.GetFiles(Path.Combine(copy.FullName, KnowledgeDataset.Messages), "*.tune.jsonl")[0], "{\"query\":\"changed\",\"ids\":[]}\n");
            var afterTune = KnowledgeDataset.Fingerprint(copy.FullName);
            Assert.NotEqual(before, afterTune);

            File.AppendAllText(Path.Combine(copy.FullName, "vpn.md"), "\nOne more line.\n");
            Assert.NotEqual(afterTune, KnowledgeDataset.Fingerprint(copy.FullName));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_committed_ranker_was_learnt_from_the_tuning_files_and_articles_there_are_now()
    {
        var ranker = KnowledgeFiles.Ranker();

        Assert.True(ranker.Fingerprint == KnowledgeDataset.Fingerprint(Root),
            "knowledge/ranker.json is older than the articles or tuning sets: run 'dotnet run --project Bot -- kb train' and commit knowledge/");
        Assert.InRange(ranker.AnswerThreshold, 0.05f, 0.95f);
        Assert.InRange(ranker.ShortAnswerThreshold, 0.05f, 0.95f);
        Assert.InRange(ranker.UnseenAnswerThreshold, 0.05f, 0.95f);
        Assert.InRange(ranker.UnseenShortAnswerThreshold, 0.05f, 0.95f);
        Assert.True(File.Exists(Path.Combine(Root, ArticleClassifier.FileName)) && File.Exists(Path.Combine(Root, ArticleClassifier.GateFileName)));
    }

    static string Normal(string text) => string.Join(' ', text.ToLowerInvariant().Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
}
