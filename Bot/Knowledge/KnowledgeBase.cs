namespace SupportBot.Knowledge;

// The searchable knowledge base: the article files shipped with the bot plus articles technicians published from
// tickets. Publishing swaps in a fresh index, so searches never wait and never see half an index.
public sealed class KnowledgeBase(PublishedArticleStore published, ILogger<KnowledgeBase> logger)
{
    readonly SemaphoreSlim rebuild = new(1, 1);
    IReadOnlyList<Article> fileArticles = [];
    volatile KnowledgeIndex? current;

    public IReadOnlyList<SearchHit> Search(string? query, int top = 3) => current?.Search(query, top) ?? [];

    public Article? Find(string id) => current?.Find(id);

    public async Task LoadAsync(string articleDirectory, CancellationToken ct)
    {
        fileArticles = ArticleParser.LoadFolder(articleDirectory);
        await ReindexAsync(ct);
    }

    public Task LoadFilesOnlyAsync(string articleDirectory)
    {
        fileArticles = ArticleParser.LoadFolder(articleDirectory);
        current ??= KnowledgeIndex.Build(fileArticles);
        return Task.CompletedTask;
    }

    public async Task<Article> PublishAsync(string draftId, string technicianId, CancellationToken ct)
    {
        var article = await published.PublishAsync(draftId, technicianId, ct);
        await ReindexAsync(ct);
        return article;
    }

    public async Task ReindexAsync(CancellationToken ct)
    {
        await rebuild.WaitAsync(ct);
        try
        {
            var fromTickets = await published.ListPublishedAsync(ct);
            var next = KnowledgeIndex.Build(fileArticles.Concat(fromTickets));
            // The old index is left to the garbage collector: a search may still be running on it.
            current = next;
            logger.LogInformation("Knowledge base indexed: {Files} article files, {Published} published from tickets", fileArticles.Count, fromTickets.Count);
        }
        finally
        {
            rebuild.Release();
        }
    }
}

// Loads the knowledge base when the bot starts; the bot is not ready until it has.
public sealed class KnowledgeBaseLoader(KnowledgeBase knowledge, ILogger<KnowledgeBaseLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        try
        {
            await knowledge.LoadAsync(KnowledgeFiles.ArticleDirectory, ct);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException)
        {
            // Tables unreachable at start: serve the shipped articles now, published ones after the next publish.
            logger.LogError("Could not load published articles ({Error}); serving the article files only", ex.GetBaseException().Message);
            await knowledge.LoadFilesOnlyAsync(KnowledgeFiles.ArticleDirectory);
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
