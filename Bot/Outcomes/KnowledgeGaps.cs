using SupportBot.Knowledge;
using SupportBot.Tickets;

namespace SupportBot.Outcomes;

// A group of alike resolved tickets that no article fixed. Example: the ticket whose resolution note is the best start
// for an article ("Draft an article" opens the publish path from it).
public sealed record KnowledgeGap(string Like, int Tickets, IReadOnlyList<int> Numbers, int Example, bool NoneOffered);

// An article offered often (Shown: on suggestion cards; Read: of those, opened) that rarely fixed the request.
public sealed record WeakArticle(string ArticleId, long Shown, long Read, long Fixed);

// Groups alike tickets by the search index's own analysis (stemming, stop words, synonyms) and TF-IDF cosine similarity:
// two tickets are alike above Similar, and a group is everything linked by alike pairs. No cloud service.
public static class KnowledgeGaps
{
    public const double Similar = 0.3;
    public const int SmallestGroup = 3;
    // The newest resolved tickets compared (grouping is cubic in their number).
    public const int MostCompared = 300;
    public const int Shown = 5;
    public const int WeakArticleShown = 10;
    public const double WeakArticleFixRate = 0.1;

    public static IReadOnlyList<KnowledgeGap> Find(OutcomeWindow window, IEnumerable<Ticket> tickets)
    {
        var candidates = tickets.Where(t => t.Status is TicketStatus.Resolved or TicketStatus.Closed && t.ResolvedAt is { } at && window.Contains(at)
            && t.SuggestionsHelped != true).OrderByDescending(t => t.ResolvedAt).Take(MostCompared).ToList();
        if (candidates.Count == 0) return [];
        var terms = candidates.Select(t => KnowledgeIndex.Terms($"{t.Title}. {t.Problem}").GroupBy(x => x).ToDictionary(g => g.Key, g => (double)g.Count())).ToList();
        var documentFrequency = terms.SelectMany(d => d.Keys).GroupBy(x => x).ToDictionary(g => g.Key, g => g.Count());
        var vectors = terms.Select(d => Normalise(d.ToDictionary(p => p.Key, p => p.Value * Math.Log(1 + (double)candidates.Count / documentFrequency[p.Key])))).ToList();

        var similarity = new double[candidates.Count, candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
            for (var j = i + 1; j < candidates.Count; j++)
                similarity[i, j] = similarity[j, i] = Cosine(vectors[i], vectors[j]);

        // Average linkage: two groups join only while their members are alike on average, so one shared word with a
        // stray ticket cannot chain unrelated groups together.
        var groups = Enumerable.Range(0, candidates.Count).Select(i => new List<int> { i }).ToList();
        while (true)
        {
            var (best, a, b) = (Similar, -1, -1);
            for (var i = 0; i < groups.Count; i++)
                for (var j = i + 1; j < groups.Count; j++)
                {
                    var average = groups[i].Sum(x => groups[j].Sum(y => similarity[x, y])) / (groups[i].Count * groups[j].Count);
                    if (average >= best) (best, a, b) = (average, i, j);
                }
            if (a < 0) break;
            groups[a].AddRange(groups[b]);
            groups.RemoveAt(b);
        }

        return groups.Where(g => g.Count >= SmallestGroup)
            .Select(g =>
            {
                var members = g.ToList();
                // The most typical ticket names the group; the fullest resolution note is the best start for an article.
                var typical = members.OrderByDescending(i => members.Sum(j => similarity[i, j])).ThenBy(i => candidates[i].Number).ToList();
                var example = typical.OrderByDescending(i => Resolution(candidates[i]).Length).First();
                return new KnowledgeGap(candidates[typical[0]].Title, members.Count, [.. members.Select(i => candidates[i].Number).Order()],
                    candidates[example].Number, members.All(i => candidates[i].SuggestedArticles.Count == 0));
            })
            .OrderByDescending(g => g.Tickets).ThenBy(g => g.Numbers[0]).Take(Shown).ToList();
    }

    // For review: shown on WeakArticleShown cards or more and fixing under WeakArticleFixRate of them. (Read is at most
    // Shown, so this also takes in every article opened that often without fixing.) Shown against Read tells the
    // reviewer which is wrong: rarely opened, the title; opened and still not fixing, the steps.
    public static IReadOnlyList<WeakArticle> Weak(IEnumerable<ArticleStats> articles) =>
        [.. articles.Where(a => a.Shown >= WeakArticleShown && (double)a.Fixed / a.Shown < WeakArticleFixRate)
            .OrderByDescending(a => a.Shown).ThenByDescending(a => a.Read).ThenBy(a => a.ArticleId, StringComparer.Ordinal).Take(Shown)
            .Select(a => new WeakArticle(a.ArticleId, a.Shown, a.Read, a.Fixed))];

    static string Resolution(Ticket t) => t.History.LastOrDefault(e => e.Kind == TicketEventKind.Resolved)?.Text ?? "";

    static Dictionary<string, double> Normalise(Dictionary<string, double> v)
    {
        var length = Math.Sqrt(v.Values.Sum(x => x * x));
        return length == 0 ? v : v.ToDictionary(p => p.Key, p => p.Value / length);
    }

    static double Cosine(Dictionary<string, double> a, Dictionary<string, double> b) =>
        (a.Count <= b.Count ? a : b).Sum(p => (a.Count <= b.Count ? b : a).TryGetValue(p.Key, out var other) ? p.Value * other : 0);
}
