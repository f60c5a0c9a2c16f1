using System.CommandLine;
using System.Text.Json;
using SupportBot.Triage;

namespace SupportBot.Knowledge;

// `kb search --top 3 --jsonl` reads {"query": "..."} lines and writes {"query","results":[{id,title,score}]} lines;
// `kb search "words"` prints a readable list; `kb eval` prints the held-out figures; `kb train` learns the ranker.
public static class KbCommand
{
    public static Command Create()
    {
        var kb = new Command("kb", "Search and evaluate the knowledge base.");

        var top = new Option<int>("--top") { Description = "How many articles at most.", DefaultValueFactory = _ => 3 };
        var jsonl = new Option<bool>("--jsonl") { Description = "Read JSON lines {\"query\": \"...\"} on stdin, write one result line each." };
        var words = new Argument<string[]>("query") { Arity = ArgumentArity.ZeroOrMore, Description = "Words to search for." };
        var explain = new Option<bool>("--explain") { Description = "Also list every candidate with its chance and the ranker's features." };
        var search = new Command("search", "Search the knowledge base.") { top, jsonl, explain, words };
        search.SetAction(parse =>
        {
            using var index = KnowledgeFiles.BuildIndex();
            // As the bot searches: with the triage's category for the message.
            var triage = TriageService.Create();
            string? Category(string text) => triage.Triage(text).Category;
            var n = Math.Clamp(parse.GetValue(top), 1, 20);
            if (parse.GetValue(jsonl))
                return RunLines(index, n, Console.In, Console.Out, Category);
            var query = string.Join(' ', parse.GetValue(words) ?? []);
            if (parse.GetValue(explain))
                foreach (var c in index.Candidates(query, Category(query)).OrderByDescending(c => index.Ranker!.Candidates.Probability(c.Features)))
                    Console.WriteLine($"{c.Article.Id,-30} p={index.Ranker!.Candidates.Probability(c.Features):0.000} " + string.Join(" ", c.Features.Select((f, i) => $"{CandidateFeatures.Names[i]}={f:0.00}")));
            var hits = index.Search(query, n, Category(query));
            if (hits.Count == 0) Console.WriteLine("No article matches well enough.");
            foreach (var (hit, i) in hits.Select((h, i) => (h, i)))
                Console.WriteLine($"{i + 1}. {hit.Article.Title}  [{hit.Article.Id}, score {hit.Score:0.00}]");
            return 0;
        });
        kb.Subcommands.Add(search);

        var showMisses = new Option<bool>("--misses") { Description = "Also list the searches answered wrongly." };
        var tune = new Option<bool>("--tune") { Description = "Evaluate on the tuning sets, each search by an index that does not hold it (for tuning)." };
        var validate = new Option<bool>("--validate") { Description = "Estimate the held-out figures from the tuning sets alone: each fifth answered by a ranker learnt without it (slow)." };
        var unseen = new Option<bool>("--unseen") { Description = "Held out, as for articles nobody has asked for yet (published from tickets): each article's examples left out of the index and classifier that answer its searches; with --tune, on the tuning sets (slow)." };
        var knowledge = new Option<DirectoryInfo>("--knowledge") { Description = "The knowledge folder (default: the one built with the bot; for training ./knowledge)." };
        var eval = new Command("eval", "Print hit@1, hit@3, MRR and no-answer figures for short queries and chat messages, held out.") { showMisses, tune, validate, unseen, knowledge };
        eval.SetAction(parse =>
        {
            var root = parse.GetValue(knowledge)?.FullName ?? KnowledgeFiles.ArticleDirectory;
            var articles = ArticleParser.LoadFolder(root);
            var ranker = KnowledgeFiles.Ranker(root);
            var triage = TriageService.Create();
            string Category(string text) => triage.Triage(text).Category;
            Console.WriteLine(KnowledgeMetrics.Header);
            (string Name, string Set)[] sets = [("short queries", KnowledgeDataset.Queries), ("chat messages", KnowledgeDataset.Messages)];
            if (parse.GetValue(validate))
            {
                foreach (var metrics in KnowledgeEvaluation.Validate(articles, [.. sets.Select(s => (s.Name, KnowledgeDataset.Tune(s.Set, root)))], ItProblems(), Category))
                    Console.WriteLine(metrics);
                return 0;
            }
            if (parse.GetValue(unseen))
            {
                foreach (var metrics in KnowledgeEvaluation.Unseen(articles, KnowledgeFiles.Examples(root),
                    [.. sets.Select(s => (s.Name, parse.GetValue(tune) ? KnowledgeDataset.Tune(s.Set, root) : KnowledgeDataset.HeldOut(s.Set, root)))], ranker, ItProblems(), Category))
                    Print(metrics);
                return 0;
            }
            foreach (var (name, set) in sets)
            {
                var metrics = parse.GetValue(tune)
                    ? KnowledgeEvaluation.OutOfFold(name, articles, KnowledgeFiles.Examples(root), KnowledgeDataset.Tune(set, root), ranker, ItProblems(), Category)
                    : KnowledgeEvaluation.Evaluate(name, KnowledgeFiles.BuildIndex(articles, root), KnowledgeDataset.HeldOut(set, root), Category);
                Print(metrics);
            }
            return 0;

            void Print(KnowledgeMetrics metrics)
            {
                Console.WriteLine(metrics);
                if (parse.GetValue(showMisses))
                    foreach (var (q, hits) in metrics.Misses)
                        Console.WriteLine($"    - \"{q.Query}\" wants [{string.Join(", ", q.Ids)}] got [{string.Join(", ", hits.Select(h => $"{h.Article.Id} {h.Score:0.00}"))}]");
            }
        });
        kb.Subcommands.Add(eval);

        var train = new Command("train", "Learn the suggestion ranker from the tuning sets and write knowledge/ranker.json.") { knowledge };
        train.SetAction(parse =>
        {
            var root = parse.GetValue(knowledge)?.FullName ?? Path.Combine(Directory.GetCurrentDirectory(), "knowledge");
            var triage = TriageService.Create();
            var examples = KnowledgeFiles.Examples(root);
            var articles = ArticleParser.LoadFolder(root);
            var ranker = RankerTraining.Train(articles, examples, ItProblems(), text => triage.Triage(text).Category, KnowledgeDataset.Fingerprint(root));
            ranker.Save(Path.Combine(root, SuggestionRanker.FileName));
            ArticleClassifier.Train(articles, examples, ItProblems()).Save(root);
            Console.WriteLine($"ranker written to {Path.Combine(root, SuggestionRanker.FileName)} from {examples.Count} tuning searches; thresholds: answer {ranker.AnswerThreshold} ({ranker.ShortAnswerThreshold} for a few words; for an article with no examples {ranker.UnseenAnswerThreshold} and {ranker.UnseenShortAnswerThreshold}), next articles at a share of {ranker.NextArticleShare}");
            return 0;
        });
        kb.Subcommands.Add(train);
        return kb;
    }

    // Messages known to be IT problems, for learning what is one: the triage's training set.
    static IReadOnlyList<string> ItProblems() => [.. TriageDataset.Train().Select(m => m.Text)];

    public static int RunLines(KnowledgeIndex index, int top, TextReader input, TextWriter output, Func<string, string?>? category = null)
    {
        string? line;
        while ((line = input.ReadLine()) is not null)
        {
            output.WriteLine(SearchLine(index, top, line, category));
            output.Flush();
        }
        return 0;
    }

    internal static string SearchLine(KnowledgeIndex index, int top, string line, Func<string, string?>? category = null)
    {
        string? query = null;
        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String)
                query = q.GetString();
        }
        catch (JsonException)
        {
            return JsonLines.Error("line is not valid JSON");
        }
        if (query is null)
            return JsonLines.Error("expected a JSON object with a string \"query\"");

        var results = index.Search(query, top, category?.Invoke(query)).Select(h => new { id = h.Article.Id, title = h.Article.Title, score = Math.Round(h.Score, 2) });
        return JsonSerializer.Serialize(new { query, results }, JsonLines.Options);
    }
}

public static class KnowledgeFiles
{
    public static string ArticleDirectory => Path.Combine(AppContext.BaseDirectory, "knowledge");

    // The tuning queries and messages: the index keeps them as examples of how people ask for each article.
    public static IReadOnlyList<KnowledgeQuery> Examples(string? root = null) =>
        [.. KnowledgeDataset.Tune(KnowledgeDataset.Queries, root), .. KnowledgeDataset.Tune(KnowledgeDataset.Messages, root)];

    public static SuggestionRanker Ranker(string? root = null) =>
        SuggestionRanker.Load(Path.Combine(root ?? ArticleDirectory, SuggestionRanker.FileName));

    public static ArticleClassifier Classifier(string? root = null) =>
        ArticleClassifier.Load(root ?? ArticleDirectory);

    public static KnowledgeIndex BuildIndex() => BuildIndex(ArticleParser.LoadFolder(ArticleDirectory));

    public static KnowledgeIndex BuildIndex(IEnumerable<Article> articles, string? root = null) =>
        KnowledgeIndex.Build(articles, Examples(root), Ranker(root), Classifier(root));
}
