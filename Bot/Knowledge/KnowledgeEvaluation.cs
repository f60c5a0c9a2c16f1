namespace SupportBot.Knowledge;

// answeredWithNothing: the share of searches no article answers that got no article (the acceptance figure for
// non-IT messages). noAnswerPrecision: of the searches that got no article, the share that indeed had none.
// articlesShown: how many articles an answered search shows on average (one to three).
public sealed record KnowledgeMetrics(
    string Set,
    int Answerable,
    double HitAt1,
    double HitAt3,
    double Mrr,
    int Unanswerable,
    double AnsweredWithNothing,
    double NoAnswerPrecision,
    double ArticlesShown,
    IReadOnlyList<(KnowledgeQuery Query, IReadOnlyList<SearchHit> Hits)> Misses)
{
    public override string ToString() =>
        $"{Set,-16} {Answerable,5} {HitAt1,7:0.000} {HitAt3,7:0.000} {Mrr,7:0.000} {Unanswerable,6} {AnsweredWithNothing,9:0.000} {NoAnswerPrecision,10:0.000} {ArticlesShown,6:0.00}";

    public const string Header = "set               with   hit@1   hit@3     MRR   none   nothing  precision  shown";
}

public static class KnowledgeEvaluation
{
    public static KnowledgeMetrics Evaluate(string set, KnowledgeIndex index, IReadOnlyList<KnowledgeQuery> queries, Func<string, string?>? category = null) =>
        Score(set, [.. queries.Select(q => (q, index.Search(q.Query, 3, category?.Invoke(q.Query))))]);

    // Each tuning search answered by an index that does not hold it as an example, as a new message would be.
    public static KnowledgeMetrics OutOfFold(string set, IReadOnlyList<Article> articles, IReadOnlyList<KnowledgeQuery> examples,
        IReadOnlyList<KnowledgeQuery> queries, SuggestionRanker ranker, IReadOnlyList<string> itProblems, Func<string, string?>? category = null)
    {
        var answered = new List<(KnowledgeQuery, IReadOnlyList<SearchHit>)>();
        for (var fold = 0; fold < RankerTraining.Folds; fold++)
        {
            var kept = examples.Where(e => RankerTraining.Fold(e.Query) != fold).ToList();
            using var index = KnowledgeIndex.Build(articles, kept, ranker, ArticleClassifier.Train(articles, kept, itProblems));
            answered.AddRange(queries.Where(q => RankerTraining.Fold(q.Query) == fold).Select(q => (q, index.Search(q.Query, 3, category?.Invoke(q.Query)))));
        }
        return Score(set, answered);
    }

    // An estimate of the held-out figures from the tuning sets alone, for comparing ways of training: each fifth of the
    // tuning searches is answered by a ranker, index and classifier learnt without it.
    public static IReadOnlyList<KnowledgeMetrics> Validate(IReadOnlyList<Article> articles, IReadOnlyList<(string Name, IReadOnlyList<KnowledgeQuery> Queries)> sets,
        IReadOnlyList<string> itProblems, Func<string, string?> category)
    {
        var answered = sets.Select(_ => new List<(KnowledgeQuery, IReadOnlyList<SearchHit>)>()).ToList();
        for (var fold = 0; fold < RankerTraining.Folds; fold++)
        {
            var learnt = sets.SelectMany(s => s.Queries).Where(q => ValidationFold(q.Query) != fold).ToList();
            var ranker = RankerTraining.Train(articles, learnt, itProblems, category, "validation");
            using var index = KnowledgeIndex.Build(articles, learnt, ranker, ArticleClassifier.Train(articles, learnt, itProblems));
            for (var i = 0; i < sets.Count; i++)
                answered[i].AddRange(sets[i].Queries.Where(q => ValidationFold(q.Query) == fold).Select(q => (q, index.Search(q.Query, 3, category(q.Query)))));
        }
        return [.. sets.Select((s, i) => Score(s.Name, answered[i]))];
    }

    // As for an article nobody has asked for yet (one just published from a ticket): the articles in five groups, each
    // group's held-out searches answered by an index and classifier that hold none of that group's examples. Searches
    // no article answers are spread over the groups by their own text.
    public static IReadOnlyList<KnowledgeMetrics> Unseen(IReadOnlyList<Article> articles, IReadOnlyList<KnowledgeQuery> examples,
        IReadOnlyList<(string Name, IReadOnlyList<KnowledgeQuery> Queries)> sets, SuggestionRanker ranker, IReadOnlyList<string> itProblems,
        Func<string, string?> category)
    {
        int Group(KnowledgeQuery q) => RankerTraining.Fold(q.Answerable ? "unseen-group:" + q.Ids[0] : "unseen-none:" + q.Query);
        var answered = sets.Select(_ => new List<(KnowledgeQuery, IReadOnlyList<SearchHit>)>()).ToList();
        for (var group = 0; group < RankerTraining.Folds; group++)
        {
            var hidden = articles.Select(a => a.Id).Where(id => RankerTraining.Fold("unseen-group:" + id) == group).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var kept = examples.Where(e => !e.Ids.Any(hidden.Contains)).ToList();
            using var index = KnowledgeIndex.Build(articles, kept, ranker, ArticleClassifier.Train(articles, kept, itProblems));
            for (var i = 0; i < sets.Count; i++)
                answered[i].AddRange(sets[i].Queries.Where(q => Group(q) == group).Select(q => (q, index.Search(q.Query, 3, category(q.Query)))));
        }
        return [.. sets.Select((s, i) => Score(s.Name + ", unseen", answered[i]))];
    }

    static int ValidationFold(string text) => RankerTraining.Fold("validation:" + text);

    static KnowledgeMetrics Score(string set, List<(KnowledgeQuery Query, IReadOnlyList<SearchHit> Results)> answered)
    {
        double hits1 = 0, hits3 = 0, reciprocal = 0;
        int answerable = 0, unanswerable = 0, silentOnNone = 0, silent = 0;
        var misses = new List<(KnowledgeQuery, IReadOnlyList<SearchHit>)>();
        foreach (var (query, results) in answered)
        {
            if (results.Count == 0) silent++;
            if (!query.Answerable)
            {
                unanswerable++;
                if (results.Count == 0) silentOnNone++;
                else misses.Add((query, results));
                continue;
            }
            answerable++;
            var rank = results.ToList().FindIndex(h => RankerTraining.IsRight(query, h.Article));
            if (rank < 0) { misses.Add((query, results)); continue; }
            hits3++;
            if (rank == 0) hits1++;
            reciprocal += 1.0 / (rank + 1);
        }
        return new KnowledgeMetrics(set, answerable, Ratio(hits1, answerable), Ratio(hits3, answerable), Ratio(reciprocal, answerable),
            unanswerable, Ratio(silentOnNone, unanswerable), Ratio(silentOnNone, silent),
            Ratio(answered.Sum(a => a.Results.Count), answered.Count - silent), misses);
    }

    static double Ratio(double part, int whole) => whole == 0 ? 1 : part / whole;
}
