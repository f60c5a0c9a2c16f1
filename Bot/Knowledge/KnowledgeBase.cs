namespace SupportBot.Knowledge;

// The searchable knowledge base: the article files shipped with the bot plus articles technicians published from
// tickets. Publishing swaps in a fresh index, so searches never wait and never see half an index.
public sealed class KnowledgeBase(PublishedArticleStore published, ILogger<KnowledgeBase> logger)
{
    readonly SemaphoreSlim rebuild = new(1, 1);
    IReadOnlyList<Article> fileArticles = [];
    IReadOnlyList<KnowledgeQuery> examples = [];
    SuggestionRanker? ranker;
    ArticleClassifier? classifier;
    volatile KnowledgeIndex? current;

    // category: the triage's category for the message, which the ranker weighs.
    public IReadOnlyList<SearchHit> Search(string? query, int top = 3, string? category = null) => current?.Search(query, top, category) ?? [];

    public Article? Find(string id) => current?.Find(id);

    public async Task LoadAsync(string articleDirectory, CancellationToken ct)
    {
        LoadFiles(articleDirectory);
        await ReindexAsync(ct);
    }

    public Task LoadFilesOnlyAsync(string articleDirectory)
    {
        LoadFiles(articleDirectory);
        current ??= KnowledgeIndex.Build(fileArticles, examples, ranker, classifier);
        return Task.CompletedTask;
    }

    void LoadFiles(string articleDirectory)
    {
        fileArticles = ArticleParser.LoadFolder(articleDirectory);
        examples = KnowledgeFiles.Examples(articleDirectory);
        ranker = KnowledgeFiles.Ranker(articleDirectory);
        classifier = KnowledgeFiles.Classifier(articleDirectory);
        if (ranker.Fingerprint != KnowledgeDataset.Fingerprint(articleDirectory))
            logger.LogWarning("The suggestion ranker was learnt from other articles or tuning sets than these; run 'kb train' and commit knowledge/ranker.json");
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
            var next = KnowledgeIndex.Build(fileArticles.Concat(fromTickets), examples, ranker, classifier);
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
