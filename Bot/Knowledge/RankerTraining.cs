using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace SupportBot.Knowledge;

// Learns the SuggestionRanker from the tuning sets alone. Every tuning message is searched by an index (and text
// models) that did not learn from it (five folds), so the ranker learns from evidence as a new message would produce
// it. Each message is also searched by an index with no examples at all, as an article published from a ticket is, and
// the candidate step learns from those searches too. The second chance for such an article (SuggestionRanker) learns
// from the fold searches whose best article had no examples there, and from each fold's searches against the articles
// alone. The thresholds are those that find the most right articles, less a small cost for each wrong article shown,
// while still answering at least 97% of the tuning messages no article answers with nothing.
public static class RankerTraining
{
    public const int Folds = 5;
    const double RequiredSilence = 0.97;
    // A wrong article shown beside the right one costs the reader a glance; missing the right one costs a ticket.
    const double WrongArticleCost = 0.08;

    public static SuggestionRanker Train(IReadOnlyList<Article> articles, IReadOnlyList<KnowledgeQuery> tuning, IReadOnlyList<string> itProblems,
        Func<string, string?> category, string fingerprint)
    {
        var known = articles.Select(a => a.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var tune = tuning.Where(q => q.Ids.All(known.Contains)).ToList();
        var rows = new List<(float[] Features, bool Label)>();
        var outOfFold = new List<(KnowledgeQuery Query, IReadOnlyList<Candidate> Candidates)>();
        var alone = new List<(KnowledgeQuery Query, IReadOnlyList<Candidate> Candidates)>();
        for (var fold = 0; fold < Folds; fold++)
        {
            var examples = tune.Where(q => Fold(q.Query) != fold && !q.Ids.Any(id => UnseenIn(id, fold))).ToList();
            var classifier = ArticleClassifier.Train(articles, examples, itProblems);
            using var index = KnowledgeIndex.Build(articles, examples, classifier: classifier);
            // The articles alone, as if none had examples, with the fold's text models (which still know the articles this
            // fold has examples for: an approximation of an article nobody has asked for).
            using var articlesAlone = KnowledgeIndex.Build(articles, classifier: classifier);
            foreach (var query in tune.Where(q => Fold(q.Query) == fold))
            {
                var candidates = index.Candidates(query.Query, category(query.Query));
                outOfFold.Add((query, candidates));
                rows.AddRange(candidates.Select(c => (c.Features, IsRight(query, c.Article))));
                alone.Add((query, articlesAlone.Candidates(query.Query, category(query.Query))));
            }
        }
        using (var index = KnowledgeIndex.Build(articles))
            foreach (var query in tune)
                rows.AddRange(index.Candidates(query.Query, category(query.Query)).Select(c => (c.Features, IsRight(query, c.Article))));
        var candidateModel = Fit(rows, CandidateFeatures.Count);

        // The answer step learns from every fold's searches. The second chance for a best article without examples
        // learns from the folds' searches whose best article had none there (left unseen in that fold, or never asked
        // for), and from every tuning search against the articles alone.
        var ranked = outOfFold.Where(x => x.Candidates.Count > 0).Select(x => Ranked(x.Query, x.Candidates)).ToList();
        var againstArticles = alone.Where(x => x.Candidates.Count > 0).Select(x => Ranked(x.Query, x.Candidates)).ToList();
        var answerModel = Fit([.. ranked.Select(x => (AnswerFeatures.Of(x.Hits, x.Candidates), HelpsIn3(x.Query, x.Hits)))], AnswerFeatures.Count);
        var unseenModel = Fit([.. ranked.Where(x => SuggestionRanker.BestIsUnseen(x.Hits, x.Candidates)).Concat(againstArticles)
            .Select(x => (UnseenAnswerFeatures.Of(x.Hits, x.Candidates), HelpsIn3(x.Query, x.Hits)))], UnseenAnswerFeatures.Names.Count);

        // Sentences and search-box queries each get the thresholds that suit them, the share of the next articles is
        // chosen with the sentences (most of the data), and all must keep the same silence over the folds' searches. A
        // search that found nothing is silent whatever the thresholds.
        var scored = ranked.Select(x => (x, Features: AnswerFeatures.Of(x.Hits, x.Candidates)))
            .Select(r => new Scored(r.x.Query, r.x.Hits, r.x.Short, answerModel.Probability(r.Features),
                SuggestionRanker.BestIsUnseen(r.x.Hits, r.x.Candidates) ? unseenModel.Probability(UnseenAnswerFeatures.From(r.Features)) : float.NegativeInfinity))
            .Concat(outOfFold.Where(x => x.Candidates.Count == 0).Select(x => new Scored(x.Query, [], false, float.NegativeInfinity, float.NegativeInfinity)))
            .ToList();
        var (_, nextArticleShare) = ChooseThresholds([.. scored.Where(x => !x.Short).Select(x => (x.Query, x.Hits, x.Answer))], shares: null);
        var (answerThreshold, unseenThreshold) = ChooseJointly([.. scored.Where(x => !x.Short)], nextArticleShare);
        var (shortAnswerThreshold, unseenShortThreshold) = ChooseJointly([.. scored.Where(x => x.Short)], nextArticleShare);
        return new SuggestionRanker(fingerprint, CandidateFeatures.Names, AnswerFeatures.Names, candidateModel, answerModel,
            answerThreshold, shortAnswerThreshold, nextArticleShare, UnseenAnswerFeatures.Names, unseenModel, unseenThreshold, unseenShortThreshold);

        (KnowledgeQuery Query, IReadOnlyList<Candidate> Candidates, List<SearchHit> Hits, bool Short) Ranked(KnowledgeQuery query, IReadOnlyList<Candidate> candidates) =>
            (query, candidates, SuggestionRanker.Rank(candidateModel, candidates), SuggestionRanker.IsShortQuery(candidates));
    }

    static bool HelpsIn3(KnowledgeQuery query, IReadOnlyList<SearchHit> hits) => query.Answerable && hits.Take(3).Any(h => IsRight(query, h.Article));

    public static bool IsRight(KnowledgeQuery query, Article article) => query.Ids.Contains(article.Id, StringComparer.OrdinalIgnoreCase);

    // A tenth of the articles lose all their examples in each fold, in the index and the classifier alike, so the ranker
    // also learns from searches for an article nobody has asked for yet, as one just published from a ticket is.
    static bool UnseenIn(string articleId, int fold) => Fold("unseen:" + articleId, 2 * Folds) == fold;

    public static int Fold(string text) => Fold(text, Folds);

    static int Fold(string text, int folds) => (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes("fold:" + text.Trim().ToLowerInvariant())), 0) % folds);

    // UnseenAnswer: the second chance's probability when the best article has no examples, else -infinity.
    sealed record Scored(KnowledgeQuery Query, List<SearchHit> Hits, bool Short, float Answer, float UnseenAnswer);

    // The answer threshold and the second chance's together: the most right articles found less the cost of wrong ones
    // shown, while the silence holds.
    static (float Answer, float Unseen) ChooseJointly(List<Scored> rows, float share)
    {
        // What each search adds when answered (value), at this share of the next articles.
        var values = rows.Select(x =>
        {
            var shown = SuggestionRanker.Shown(x.Hits, share, 3);
            var rank = shown.FindIndex(h => IsRight(x.Query, h.Article));
            return x.Query.Answerable ? (rank >= 0 ? 1 + 1.0 / (rank + 1) : 0) - WrongArticleCost * (shown.Count - (rank >= 0 ? 1 : 0)) : 0;
        }).ToArray();
        var unanswerable = rows.Count(x => !x.Query.Answerable);
        var grid = Enumerable.Range(5, 91).Select(i => i / 100f).ToArray();
        var best = (Answer: 0.5f, Unseen: 0.5f, Value: double.MinValue);
        foreach (var a in grid)
            foreach (var u in grid)
            {
                double value = 0;
                var silent = 0;
                for (var i = 0; i < rows.Count; i++)
                {
                    var shown = rows[i].Answer >= a || rows[i].UnseenAnswer >= u;
                    if (shown) value += values[i];
                    else if (!rows[i].Query.Answerable) silent++;
                }
                if (unanswerable > 0 && (double)silent / unanswerable < RequiredSilence) continue;
                if (value > best.Value) best = (a, u, value);
            }
        return (best.Answer, best.Unseen);
    }

    // shares: the share of the next articles when already chosen, else chosen here with the answer threshold.
    static (float Answer, float NextArticleShare) ChooseThresholds(List<(KnowledgeQuery Query, List<SearchHit> Hits, float Answer)> scored, float? shares)
    {
        var best = (Answer: 0.5f, Share: shares ?? 0.5f, Value: double.MinValue);
        for (var a = 0.05f; a < 0.951f; a += 0.01f)
            for (var share = shares ?? 0.01f; share < (shares ?? 0.30f) + 0.001f; share += 0.01f)
            {
                double value = 0, silent = 0, unanswerable = 0;
                foreach (var (query, hits, answer) in scored)
                {
                    var shown = answer >= a ? SuggestionRanker.Shown(hits, share, 3) : [];
                    if (!query.Answerable)
                    {
                        unanswerable++;
                        if (shown.Count == 0) silent++;
                        continue;
                    }
                    var rank = shown.FindIndex(h => IsRight(query, h.Article));
                    if (rank >= 0) value += 1 + 1.0 / (rank + 1);
                    value -= WrongArticleCost * (shown.Count - (rank >= 0 ? 1 : 0));
                }
                if (unanswerable > 0 && silent / unanswerable < RequiredSilence) continue;
                if (value > best.Value) best = (a, share, value);
            }
        return (MathF.Round(best.Answer, 2), MathF.Round(best.Share, 2));
    }

    // Standardises the features, fits ML.NET's L-BFGS logistic regression, and checks the LinearModel computes the
    // same probabilities as ML.NET does.
    static LinearModel Fit(List<(float[] Features, bool Label)> rows, int width)
    {
        var means = new float[width];
        var scales = new float[width];
        for (var i = 0; i < width; i++)
        {
            var values = rows.Select(r => (double)r.Features[i]).ToList();
            var mean = values.Average();
            means[i] = (float)mean;
            scales[i] = (float)Math.Max(1e-3, Math.Sqrt(values.Average(v => (v - mean) * (v - mean))));
        }

        var ml = new MLContext(seed: 1);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row
        {
            Features = [.. r.Features.Select((v, i) => (v - means[i]) / scales[i])],
            Label = r.Label,
        }), schema);
        var model = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options
        {
            L2Regularization = 0.5f,
            L1Regularization = 0f,
        }).Fit(data);
        var linear = new LinearModel(means, scales, [.. model.Model.SubModel.Weights], model.Model.SubModel.Bias);

        var predicted = ml.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).Take(200).ToList();
        for (var i = 0; i < predicted.Count; i++)
            if (Math.Abs(predicted[i].Probability - linear.Probability(rows[i].Features)) > 1e-3)
                throw new InvalidOperationException($"probability {linear.Probability(rows[i].Features)} differs from ML.NET's {predicted[i].Probability}");
        return linear;
    }

    sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }

    sealed class Prediction
    {
        public float Probability { get; set; }
    }
}
