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
        using var knowledge = new KnowledgeBase(store, NullLogger<KnowledgeBase>.Instance);
        await knowledge.LoadAsync(KnowledgeFiles.ArticleDirectory, CancellationToken.None);
        const string query = "kiln controller touchscreen frozen";
        Assert.DoesNotContain(knowledge.Search(query), h => h.Article.Source == ArticleSource.Published);

        var draft = await store.CreateDraftAsync(new ResolvedTicket("T-1042",
            "The kiln controller touchscreen in the art room froze and would not respond.",
            "Switch the kiln off at the wall\nWait 30 seconds\nSwitch it back on and wait for the controller to start",
            "devices", "tech-1"), CancellationToken.None);
        Assert.DoesNotContain(knowledge.Search(query), h => h.Article.Id == draft.Id);

        var article = await knowledge.PublishAsync(draft.Id, "tech-1", CancellationToken.None);

        var hits = knowledge.Search(query);
        Assert.Equal(article.Id, hits[0].Article.Id);
        Assert.Equal(ArticleSource.Published, hits[0].Article.Source);
        Assert.Contains("1. Switch the kiln off at the wall", hits[0].Article.Body);
        Assert.Null(await store.FindDraftAsync(draft.Id, CancellationToken.None));
    }

    [Fact]
    public async Task Published_articles_survive_a_restart()
    {
        var store = new PublishedArticleStore(tables);
        var draft = await store.CreateDraftAsync(new ResolvedTicket("T-7", "Laminator jams every sheet", "Let it warm up for 5 minutes", "devices", "tech-2"), CancellationToken.None);
        await store.PublishAsync(draft.Id, "tech-2", CancellationToken.None);

        using var afterRestart = new KnowledgeBase(new PublishedArticleStore(tables), NullLogger<KnowledgeBase>.Instance);
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
    public async Task Views_and_votes_are_counted_and_a_replayed_vote_counts_once()
    {
        var feedback = new ArticleFeedbackStore(tables);
        await feedback.RecordViewsAsync(["paper-jam", "printer-offline"], CancellationToken.None);
        await feedback.RecordViewsAsync(["paper-jam"], CancellationToken.None);

        Assert.True(await feedback.RecordVoteAsync("paper-jam", fixedIt: true, "activity-1", CancellationToken.None));
        Assert.False(await feedback.RecordVoteAsync("paper-jam", fixedIt: true, "activity-1", CancellationToken.None));
        Assert.True(await feedback.RecordVoteAsync("paper-jam", fixedIt: false, "activity-2", CancellationToken.None));

        var stats = await feedback.GetAsync("paper-jam", CancellationToken.None);
        Assert.Equal(2, stats.Views);
        Assert.Equal(1, stats.Fixed);
        Assert.Equal(1, stats.Deflections);
        Assert.Equal(1, stats.StillNeedHelp);
        Assert.Equal(1, (await feedback.GetAsync("printer-offline", CancellationToken.None)).Views);
    }

    [Fact]
    public async Task Concurrent_views_are_all_counted()
    {
        var feedback = new ArticleFeedbackStore(tables);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => feedback.RecordViewsAsync(["vpn"], CancellationToken.None)));
        Assert.Equal(12, (await feedback.GetAsync("vpn", CancellationToken.None)).Views);
    }
}
