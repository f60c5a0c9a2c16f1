using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using SupportBot.Knowledge;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Knowledge;

// Publishing and feedback against a real Table service (Azurite).
public sealed class KnowledgeStorageTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    TableServiceClient tables = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        tables = new TableServiceClient(azurite.ConnectionString);
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    [Fact]
    public async Task A_published_resolution_becomes_searchable_without_a_restart()
    {
        var store = new PublishedArticleStore(tables);
        var knowledge = new KnowledgeBase(store, NullLogger<KnowledgeBase>.Instance);
        await knowledge.LoadAsync(KnowledgeFiles.ArticleDirectory, CancellationToken.None);
        const string query = "kiln controller touchscreen frozen";
        Assert.DoesNotContain(knowledge.Search(query), h => h.Article.Source == ArticleSource.Published);

        var draft = await store.CreateDraftAsync(new ResolvedTicket("T-1042",
            "The kiln controller touchscreen in the art room froze and would not respond.",
            "Switch the kiln off at the wall\nWait 30 seconds\nSwitch it back on and wait for the controller to start",
            "devices", "tech-1"), CancellationToken.None);
        await knowledge.ReindexAsync(CancellationToken.None);
        Assert.DoesNotContain(knowledge.Search(query), h => h.Article.Id == draft.Id); // a draft is not published

        var article = await knowledge.PublishAsync(draft.Id, "tech-1", CancellationToken.None);

        var hits = knowledge.Search(query);
        Assert.Equal(article.Id, hits[0].Article.Id);
        Assert.Equal(ArticleSource.Published, hits[0].Article.Source);
        Assert.Contains("1. Switch the kiln off at the wall", hits[0].Article.Body);
        Assert.Null(await store.FindDraftAsync(draft.Id, CancellationToken.None));
    }

    // Found by the load tool (bench/Chaos): with two instances, an article published on one was never found by search on
    // the other until it restarted, because each instance re-indexed only on its own publish.
    [Fact]
    public async Task An_article_published_on_another_instance_is_found_here_after_a_sync()
    {
        var here = new KnowledgeBase(new PublishedArticleStore(tables), NullLogger<KnowledgeBase>.Instance);
        var there = new KnowledgeBase(new PublishedArticleStore(tables), NullLogger<KnowledgeBase>.Instance);
        await here.LoadAsync(KnowledgeFiles.ArticleDirectory, CancellationToken.None);
        await there.LoadAsync(KnowledgeFiles.ArticleDirectory, CancellationToken.None);
        Assert.False(await here.SyncAsync(CancellationToken.None)); // nothing new: no re-index

        var store = new PublishedArticleStore(tables);
        var draft = await store.CreateDraftAsync(new ResolvedTicket("T-88", "The pottery wheel pedal squeals", "Oil the pedal hinge", "devices", "tech-1"), CancellationToken.None);
        await there.PublishAsync(draft.Id, "tech-1", CancellationToken.None);
        Assert.DoesNotContain(here.Search("pottery wheel pedal squeals"), h => h.Article.Id == draft.Id);

        Assert.True(await here.SyncAsync(CancellationToken.None));
        Assert.Contains(here.Search("pottery wheel pedal squeals"), h => h.Article.Id == draft.Id);
        Assert.False(await there.SyncAsync(CancellationToken.None)); // its own publish is already indexed
    }

    [Fact]
    public async Task The_bot_picks_up_articles_published_elsewhere_by_itself_within_its_sync_interval()
    {
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
            ["Knowledge:SyncInterval"] = "00:00:00.200",
        });
        var knowledge = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<KnowledgeBase>(bot.Services);
        var store = new PublishedArticleStore(tables);
        var draft = await store.CreateDraftAsync(new ResolvedTicket("T-89", "The glue gun in the craft room will not heat", "Use the other socket", "devices", "tech-1"), CancellationToken.None);
        await store.PublishAsync(draft.Id, "tech-1", CancellationToken.None); // as another instance does

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!knowledge.Search("glue gun will not heat").Any(h => h.Article.Id == draft.Id))
        {
            Assert.True(DateTime.UtcNow < deadline, "the article published elsewhere never became searchable");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Published_articles_survive_a_restart()
    {
        var store = new PublishedArticleStore(tables);
        var draft = await store.CreateDraftAsync(new ResolvedTicket("T-7", "Laminator jams every sheet", "Let it warm up for 5 minutes", "devices", "tech-2"), CancellationToken.None);
        await store.PublishAsync(draft.Id, "tech-2", CancellationToken.None);

        var afterRestart = new KnowledgeBase(new PublishedArticleStore(tables), NullLogger<KnowledgeBase>.Instance);
        await afterRestart.LoadAsync(KnowledgeFiles.ArticleDirectory, CancellationToken.None);

        Assert.Contains(afterRestart.Search("laminator jams"), h => h.Article.Id == draft.Id);
    }

    [Fact]
    public async Task Publishing_an_unknown_draft_fails_clearly()
    {
        var store = new PublishedArticleStore(tables);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.PublishAsync("no-such-draft", "tech-1", CancellationToken.None));
    }

    [Fact]
    public async Task Shown_and_answers_are_counted_once_per_suggestion_card()
    {
        var feedback = new ArticleFeedbackStore(tables);
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline"], "printer jammed", CancellationToken.None);
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline"], "printer jammed", CancellationToken.None); // replayed
        await feedback.RecordSuggestionAsync("s-2", "user-a", ["paper-jam"], "paper stuck", CancellationToken.None);

        var first = await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", CancellationToken.None);
        var again = await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", CancellationToken.None);
        var otherArticleSameCard = await feedback.RecordOutcomeAsync("s-1", "user-a", "printer-offline", CancellationToken.None);
        var stillNeedHelp = await feedback.RecordOutcomeAsync("s-2", "user-a", null, CancellationToken.None);

        Assert.Equal(VoteOutcome.Counted, first.Outcome);
        Assert.Equal("printer jammed", first.Request);
        Assert.Equal(VoteOutcome.AlreadyAnswered, again.Outcome);
        Assert.Equal(VoteOutcome.AlreadyAnswered, otherArticleSameCard.Outcome);
        Assert.Equal(VoteOutcome.Counted, stillNeedHelp.Outcome);
        var jam = await feedback.GetAsync("paper-jam", CancellationToken.None);
        Assert.Equal((2L, 0L, 1L, 1L), (jam.Shown, jam.Read, jam.Fixed, jam.Deflections));
        var offline = await feedback.GetAsync("printer-offline", CancellationToken.None);
        Assert.Equal((1L, 0L, 0L), (offline.Shown, offline.Read, offline.Fixed));
        Assert.Equal(1, await feedback.CountStillNeedHelpAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Only_the_person_shown_a_suggestion_can_answer_it_and_only_for_articles_it_offered()
    {
        var feedback = new ArticleFeedbackStore(tables);
        await feedback.RecordSuggestionAsync("s-9", "user-a", ["vpn"], "vpn down", CancellationToken.None);

        Assert.Equal(VoteOutcome.NotYours, (await feedback.RecordOutcomeAsync("s-9", "user-b", "vpn", CancellationToken.None)).Outcome);
        Assert.Equal(VoteOutcome.NotOffered, (await feedback.RecordOutcomeAsync("s-9", "user-a", "paper-jam", CancellationToken.None)).Outcome);
        Assert.Equal(VoteOutcome.NotFound, (await feedback.RecordOutcomeAsync("forged", "user-a", "vpn", CancellationToken.None)).Outcome);
        Assert.Equal(0, (await feedback.GetAsync("vpn", CancellationToken.None)).Fixed);
        Assert.Equal(0, (await feedback.GetAsync("paper-jam", CancellationToken.None)).Fixed);
    }

    [Fact]
    public void Table_keys_keep_distinct_ids_distinct()
    {
        string[] ids = ["a/", "a~2F", "a%2F", "29:1abc#x", "a~", "a%7E"];
        var keys = ids.Select(SupportBot.Storage.LazyTable.Key).ToList();
        Assert.Equal(ids.Length, keys.Distinct().Count());
        Assert.All(keys, k => Assert.DoesNotMatch(@"[/\\#?%]", k));
    }

    [Fact]
    public async Task Concurrent_suggestions_are_all_counted_as_shown()
    {
        var feedback = new ArticleFeedbackStore(tables);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => feedback.RecordSuggestionAsync($"s-{i}", "user-a", ["vpn"], "vpn", CancellationToken.None)));
        Assert.Equal(12, (await feedback.GetAsync("vpn", CancellationToken.None)).Shown);
    }
}
