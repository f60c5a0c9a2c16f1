using System.Text.Json;
using SupportBot.Protocol;

namespace SupportBot.Knowledge;

public sealed record KnowledgeQuery(string Query, IReadOnlyList<string> Ids);

public sealed record KnowledgeMetrics(int Answerable, double HitAt3, double Mrr, int Unanswerable, double UnanswerableEmpty,
    IReadOnlyList<(KnowledgeQuery Query, IReadOnlyList<SearchHit> Hits)> Misses)
{
    public override string ToString() => string.Join(Environment.NewLine,
        $"answerable queries   {Answerable}",
        $"hit@3                {HitAt3:0.000}   (target >= 0.90)",
        $"MRR                  {Mrr:0.000}   (target >= 0.75)",
        $"no-answer queries    {Unanswerable}, returned nothing for {UnanswerableEmpty:0.000}");
}

public static class KnowledgeEvaluation
{
    public static IReadOnlyList<KnowledgeQuery> Load(string directory, string pattern) =>
        Directory.GetFiles(directory, pattern).Order(StringComparer.Ordinal)
            .SelectMany(File.ReadLines)
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonSerializer.Deserialize<KnowledgeQuery>(l, ProtocolJson.Options)!)
            .ToList();

    public static KnowledgeMetrics Evaluate(KnowledgeIndex index, IReadOnlyList<KnowledgeQuery> queries)
    {
        var answerable = queries.Where(q => q.Ids.Count > 0).ToList();
        var unanswerable = queries.Where(q => q.Ids.Count == 0).ToList();
        double hits = 0, reciprocal = 0;
        var misses = new List<(KnowledgeQuery, IReadOnlyList<SearchHit>)>();
        foreach (var q in answerable)
        {
            var results = index.Search(q.Query, 3);
            var rank = results.Select((h, i) => (h, i)).FirstOrDefault(x => q.Ids.Contains(x.h.Article.Id, StringComparer.OrdinalIgnoreCase)).i;
            var found = results.Any(h => q.Ids.Contains(h.Article.Id, StringComparer.OrdinalIgnoreCase));
            if (found) { hits++; reciprocal += 1.0 / (rank + 1); }
            else misses.Add((q, results));
        }
        var empty = 0;
        foreach (var q in unanswerable)
        {
            var results = index.Search(q.Query, 3);
            if (results.Count == 0) empty++;
            else misses.Add((q, results));
        }
        return new KnowledgeMetrics(answerable.Count, Ratio(hits, answerable.Count), Ratio(reciprocal, answerable.Count),
            unanswerable.Count, Ratio(empty, unanswerable.Count), misses);
    }

    static double Ratio(double part, int whole) => whole == 0 ? 1 : part / whole;
}
