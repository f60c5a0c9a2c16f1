using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SupportBot.Knowledge;

namespace SupportBot.Benchmarks;

// 10,000 generated articles (words drawn from the real ones, fixed seed) plus the real ones.
public static class GeneratedArticles
{
    public static IReadOnlyList<Article> Create(int count)
    {
        var real = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory);
        var words = real.SelectMany(a => $"{a.Title} {a.Body}".Split([' ', '\n', '.', ',', '*', '#', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
            .Where(w => w.Length > 2).Distinct().ToArray();
        var random = new Random(42);
        string Words(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => words[random.Next(words.Length)]));
        var generated = Enumerable.Range(0, count - real.Count).Select(i => new Article(
            $"generated-{i}", Words(6), Words(8).Split(' '), "generated", "everyone", new DateOnly(2026, 1, 1),
            $"{Words(30)}\n\n## Steps\n1. {Words(20)}\n2. {Words(20)}\n3. {Words(20)}\n4. {Words(20)}\n\n{Words(40)}"));
        return [.. real, .. generated];
    }

    // What people type: the short queries and the chat messages, both splits (timing only, nothing is learnt here).
    public static string[] Queries() =>
        [.. new[] { KnowledgeDataset.Queries, KnowledgeDataset.Messages }
            .SelectMany(set => KnowledgeDataset.Tune(set).Concat(KnowledgeDataset.HeldOut(set))).Select(q => q.Query)];

    // The index as the bot builds it: articles, the tuning examples, the ranker and the text models.
    public static KnowledgeIndex Index(IReadOnlyList<Article> articles) =>
        KnowledgeIndex.Build(articles, KnowledgeFiles.Examples(), KnowledgeFiles.Ranker(), KnowledgeFiles.Classifier());
}

[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class KnowledgeIndexBuild
{
    IReadOnlyList<Article> articles = [];

    [GlobalSetup]
    public void Setup() => articles = GeneratedArticles.Create(10_000);

    [Benchmark]
    public int Build()
    {
        using var index = GeneratedArticles.Index(articles);
        return index.Count;
    }
}

// Workstation GC with background collection, as the bot runs it (Bot.csproj).
[GcServer(false), GcConcurrent(true)]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 20, iterationCount: 2000, invocationCount: 1)]
public class KnowledgeQuery
{
    KnowledgeIndex index = null!;
    string[] queries = [];
    int next;

    [GlobalSetup]
    public void Setup()
    {
        index = GeneratedArticles.Index(GeneratedArticles.Create(10_000));
        queries = GeneratedArticles.Queries();
    }

    [GlobalCleanup]
    public void Cleanup() => index.Dispose();

    [Benchmark]
    public int Search() => index.Search(queries[next++ % queries.Length], 3).Count;
}
