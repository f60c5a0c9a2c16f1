using System.Text.Json.Nodes;
using SupportBot.Knowledge;

namespace SupportBot.Tests.Knowledge;

public sealed class KnowledgeIndexFixture : IDisposable
{
    public KnowledgeIndex Index { get; } = KnowledgeFiles.BuildIndex();
    public void Dispose() => Index.Dispose();
}

public sealed class KnowledgeSearchTests(KnowledgeIndexFixture fixture, ITestOutputHelper output) : IClassFixture<KnowledgeIndexFixture>
{
    KnowledgeIndex Index => fixture.Index;

    [Fact]
    public void Held_out_queries_meet_the_targets()
    {
        var queries = KnowledgeEvaluation.Load(KnowledgeFiles.QueryDirectory, "*.test.jsonl");
        var metrics = KnowledgeEvaluation.Evaluate(Index, queries);
        output.WriteLine(metrics.ToString());

        Assert.True(metrics.HitAt3 >= 0.90, $"hit@3 {metrics.HitAt3:0.000}");
        Assert.True(metrics.Mrr >= 0.75, $"MRR {metrics.Mrr:0.000}");
        Assert.True(metrics.Unanswerable > 0);
    }

    [Fact]
    public void The_query_set_is_big_enough_and_its_ids_exist()
    {
        var all = KnowledgeEvaluation.Load(KnowledgeFiles.QueryDirectory, "*.jsonl");
        var heldOut = KnowledgeEvaluation.Load(KnowledgeFiles.QueryDirectory, "*.test.jsonl");
        Assert.True(all.Count >= 120, $"{all.Count} queries");
        Assert.True(heldOut.Count >= 40);
        Assert.All(all.SelectMany(q => q.Ids), id => Assert.NotNull(Index.Find(id)));
        Assert.True(Index.Count >= 45, $"{Index.Count} articles");
    }

    [Theory]
    [InlineData("what's for lunch")]
    [InlineData("when is the staff party")]
    [InlineData("who do I ask about my payslip")]
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
