using System.Text.Json.Nodes;
using SupportBot.Knowledge;
using SupportBot.Triage;

namespace SupportBot.Tests.Knowledge;

public sealed class KnowledgeIndexFixture : IDisposable
{
    public KnowledgeIndex Index { get; } = KnowledgeFiles.BuildIndex();
    public void Dispose() => Index.Dispose();
}

public sealed class KnowledgeSearchTests(KnowledgeIndexFixture fixture, ITestOutputHelper output) : IClassFixture<KnowledgeIndexFixture>
{
    KnowledgeIndex Index => fixture.Index;

    // On searches the ranker never learnt from (see KnowledgeDatasetTests), the figures reached so far, as floors. Issue
    // 10's targets: chat messages hit@3 0.92, MRR 0.80, non-IT answered with nothing 0.95; short queries hit@3 0.95. Raise
    // these as the search improves, never lower them without saying why. Non-IT silence was lowered once, from 0.94 to
    // 0.93 (2026-12-06: one more of 112 non-IT messages answered, for chat hit@3 0.876 -> 0.900 and short hit@3 0.905 ->
    // 0.931 when the answer step learnt from the best article's evidence).
    [Fact]
    public void Held_out_chat_messages_keep_their_figures()
    {
        var metrics = HeldOut("chat messages", KnowledgeDataset.Messages);

        Assert.True(metrics.HitAt3 >= 0.93, $"hit@3 {metrics.HitAt3:0.000}");
        Assert.True(metrics.Mrr >= 0.90, $"MRR {metrics.Mrr:0.000}");
        Assert.True(metrics.AnsweredWithNothing >= 0.95, $"non-IT answered with nothing {metrics.AnsweredWithNothing:0.000}");
    }

    [Fact]
    public void Held_out_short_queries_keep_their_figures()
    {
        var metrics = HeldOut("short queries", KnowledgeDataset.Queries);

        Assert.True(metrics.HitAt3 >= 0.95, $"hit@3 {metrics.HitAt3:0.000}");
        Assert.True(metrics.Mrr >= 0.92, $"MRR {metrics.Mrr:0.000}");
        Assert.True(metrics.AnsweredWithNothing >= 0.95, $"answered with nothing {metrics.AnsweredWithNothing:0.000}");
    }

    KnowledgeMetrics HeldOut(string name, string set)
    {
        var triage = TriageService.Create();
        var metrics = KnowledgeEvaluation.Evaluate(name, Index, KnowledgeDataset.HeldOut(set), text => triage.Triage(text).Category);
        output.WriteLine(KnowledgeMetrics.Header);
        output.WriteLine(metrics.ToString());
        foreach (var (q, hits) in metrics.Misses)
            output.WriteLine($"  miss: wants [{string.Join(", ", q.Ids)}] got [{string.Join(", ", hits.Select(h => h.Article.Id))}]");
        Assert.True(metrics.Answerable >= 60 && metrics.Unanswerable >= 5, $"{metrics.Answerable} answerable, {metrics.Unanswerable} not");
        return metrics;
    }

    [Fact]
    public void The_knowledge_base_covers_at_least_100_articles_and_every_labelled_id_exists()
    {
        var all = KnowledgeDataset.Tune(KnowledgeDataset.Queries).Concat(KnowledgeDataset.HeldOut(KnowledgeDataset.Queries))
            .Concat(KnowledgeDataset.Tune(KnowledgeDataset.Messages)).Concat(KnowledgeDataset.HeldOut(KnowledgeDataset.Messages));
        Assert.All(all.SelectMany(q => q.Ids), id => Assert.NotNull(Index.Find(id)));
        Assert.True(Index.Count >= 100, $"{Index.Count} articles");
    }

    [Theory]
    [InlineData("hi, the beamer in rm 6 says no signal and the kids are coming in 10 mins", "projector-no-signal")]
    [InlineData("sorry to bother you, the thing on the ceiling wont show my laptop, just says no signal", "projector-no-signal")]
    [InlineData("came back from holiday and my brain has completely wiped my login, the password bit i mean", "forgotten-password")]
    [InlineData("the visualiser isnt showing anything on the board, year 4 waiting, pls help", "document-camera")]
    [InlineData("cant get my emails on my phone since i changed it", "email-on-phone")]
    public void A_chatty_message_finds_its_article(string message, string expected) =>
        Assert.Contains(Index.Search(message), h => h.Article.Id == expected);

    // The old search asked a fixed share of the words to match, which a story around the problem never reached. (Whether
    // the article is then shown is the answer step's call: today it still holds back on a story this long.)
    [Fact]
    public void A_long_message_still_ranks_its_article_first()
    {
        var message = "Morning, sorry for the long message, it has been one of those weeks. We had the inspectors in on Monday, the " +
            "Christmas play rehearsals are eating every lunchtime and two of my team are off sick, so I am covering the office on " +
            "my own today. Anyway, the reason I am writing: the printer in the main office keeps saying it is offline and nothing " +
            "I send to it comes out, although the little screen on the front looks normal. Thanks so much, Jo";

        var ranked = Index.Candidates(message).OrderByDescending(c => Index.Ranker!.Candidates.Probability(c.Features));
        Assert.Equal("printer-offline", ranked.First().Article.Id);
    }

    // A search-box query of a few words is judged by its own threshold, a sentence by the other.
    [Fact]
    public void A_query_of_a_few_words_and_a_sentence_are_each_answered_by_their_own_threshold()
    {
        var ranker = Index.Ranker!;
        var words = Index.Candidates("printer offline");
        var sentence = Index.Candidates("hi, the printer in the office says offline and nothing comes out when I print my letters");
        Assert.True(SuggestionRanker.IsShortQuery(words));
        Assert.False(SuggestionRanker.IsShortQuery(sentence));

        var shortOnlyClosed = ranker with { ShortAnswerThreshold = 1.01f };
        Assert.Empty(shortOnlyClosed.Choose(words, 3));
        Assert.Equal("printer-offline", shortOnlyClosed.Choose(sentence, 3)[0].Article.Id);

        var sentencesClosed = ranker with { AnswerThreshold = 1.01f };
        Assert.Equal("printer-offline", sentencesClosed.Choose(words, 3)[0].Article.Id);
        Assert.Empty(sentencesClosed.Choose(sentence, 3));
    }

    [Theory]
    [InlineData("what's for lunch")]
    [InlineData("when is the staff party")]
    [InlineData("who do I ask about my payslip")]
    [InlineData("hiya, the heating in the hall is off again and it is freezing, who do I tell?")]
    [InlineData("my car won't start and I'm going to be late, can someone tell the office")]
    public void Queries_no_article_answers_return_nothing(string query) => Assert.Empty(Index.Search(query));

    [Theory]
    [InlineData("beamer shows nothing from my laptop", "projector-no-signal")]
    [InlineData("promethean pen not writing", "interactive-panel-touch-pen")]
    [InlineData("wireless keeps cutting out", "wifi-drops")]
    [InlineData("cant log in forgot it", "forgotten-password")]
    [InlineData("projecter wont turn on", "projector-wont-power-on")]
    [InlineData("printr says offline", "printer-offline")]
    public void Synonyms_and_typos_still_find_the_article(string query, string expected)
    {
        var hits = Index.Search(query);
        Assert.Contains(hits, h => h.Article.Id == expected);
    }

    [Fact]
    public void Title_matches_outrank_body_matches()
    {
        var hits = Index.Search("double sided printing");
        Assert.Equal("double-sided-printing", hits[0].Article.Id);
    }

    // Queries are analysed as words, never parsed as Lucene syntax: "*:*" would match every article.
    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("*:*")]
    [InlineData("AND OR NOT")]
    [InlineData("((((((")]
    [InlineData("~* ^ : \" [ ] { } \\ /")]
    public void Odd_queries_of_syntax_alone_never_throw_and_find_nothing(string query) => Assert.Empty(Index.Search(query));

    [Theory]
    [InlineData("\"title:(a OR\" ~*", "title a or")]
    [InlineData("projector^100 (no signal", "projector 100 no signal")]
    // As Lucene syntax this would leave out every article about signals.
    [InlineData("+projector -signal", "projector signal")]
    [InlineData("projector~ AND signal*", "projector and signal")]
    public void Odd_queries_never_throw_and_search_their_words_as_plain_words(string query, string plainWords)
    {
        var expected = Index.Search(plainWords).Select(h => h.Article.Id).ToList();
        Assert.NotEmpty(expected);

        Assert.Equal(expected, Index.Search(query).Select(h => h.Article.Id));
    }

    [Fact]
    public void A_10_KB_query_is_searched_on_its_opening_words_without_error()
    {
        var query = "the projector says no signal " + string.Concat(Enumerable.Repeat("projector hdmi no signal ", 500));
        Assert.True(query.Length > 10_000);
        var hits = Index.Search(query);
        Assert.Equal("projector-no-signal", hits[0].Article.Id);
    }

    [Fact]
    public void The_jsonl_contract_writes_one_line_per_query()
    {
        var good = JsonNode.Parse(KbCommand.SearchLine(Index, 3, """{"query":"screen says no signal"}"""))!;
        var none = JsonNode.Parse(KbCommand.SearchLine(Index, 3, """{"query":"what's for lunch"}"""))!;
        var bad = JsonNode.Parse(KbCommand.SearchLine(Index, 3, "not json"))!;

        Assert.Equal("screen says no signal", good["query"]!.GetValue<string>());
        var first = good["results"]!.AsArray()[0]!;
        Assert.Equal("projector-no-signal", first["id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(first["title"]!.GetValue<string>()));
        Assert.True(first["score"]!.GetValue<double>() > 0);
        Assert.Empty(none["results"]!.AsArray());
        Assert.NotNull(bad["error"]);
    }
}
