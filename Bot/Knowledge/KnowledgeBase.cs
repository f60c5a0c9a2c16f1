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
    // The published rows the current index was built from (PublishedArticleStore.PublishedVersionAsync).
    volatile string? indexedVersion;

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
            // Read before the articles: a publish landing in between makes the next sync index again, never miss it.
            var version = await published.PublishedVersionAsync(ct);
            var fromTickets = await published.ListPublishedAsync(ct);
            var next = KnowledgeIndex.Build(fileArticles.Concat(fromTickets), examples, ranker, classifier);
            // The old index is left to the garbage collector: a search may still be running on it.
            current = next;
            indexedVersion = version;
            logger.LogInformation("Knowledge base indexed: {Files} article files, {Published} published from tickets", fileArticles.Count, fromTickets.Count);
        }
        finally
        {
            rebuild.Release();
        }
    }

    // Articles published on another instance: re-index when the published rows changed since this index was built.
    public async Task<bool> SyncAsync(CancellationToken ct)
    {
        if (await published.PublishedVersionAsync(ct) == indexedVersion) return false;
        await ReindexAsync(ct);
        return true;
    }
}

public sealed class KnowledgeOptions
{
    // How often each instance checks for articles published elsewhere: an article published on one instance is
    // found by search on every other within about this long.
    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(5);
}

// Every instance keeps its own in-memory index; this keeps it in step with the published articles in storage.
public sealed class KnowledgeSync(KnowledgeBase knowledge, Microsoft.Extensions.Options.IOptions<KnowledgeOptions> options, TimeProvider clock, ILogger<KnowledgeSync> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SyncInterval, clock);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await knowledge.SyncAsync(stoppingToken))
                    logger.LogInformation("Knowledge base: articles published on another instance are now searchable here");
                if (failing) logger.LogInformation("Knowledge base sync: storage is reachable again");
                failing = false;
            }
            catch (Exception ex) when (Storage.TableStorage.IsFailure(ex) && !stoppingToken.IsCancellationRequested)
            {
                if (!failing) logger.LogWarning("Knowledge base sync failed ({Error}); trying again every {Interval}", ex.GetType().Name, options.Value.SyncInterval);
                failing = true;
            }
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
