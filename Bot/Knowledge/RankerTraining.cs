using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace SupportBot.Knowledge;

// Learns the SuggestionRanker from the tuning sets alone. Every tuning message is searched by an index (and text
// models) that did not learn from it (five folds), so the ranker learns from evidence as a new message would produce
// it. Each message is also searched by an index with no examples at all, as an article published from a ticket is, so
// such articles can still be suggested. The thresholds are those that find the most right articles, less a small cost
// for each wrong article shown, while still answering at least 97% of the tuning messages no article answers with
// nothing.
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
        for (var fold = 0; fold < Folds; fold++)
        {
            var examples = tune.Where(q => Fold(q.Query) != fold && !q.Ids.Any(id => UnseenIn(id, fold))).ToList();
            using var index = KnowledgeIndex.Build(articles, examples, classifier: ArticleClassifier.Train(articles, examples, itProblems));
            foreach (var query in tune.Where(q => Fold(q.Query) == fold))
            {
                var candidates = index.Candidates(query.Query, category(query.Query));
                outOfFold.Add((query, candidates));
                rows.AddRange(candidates.Select(c => (c.Features, IsRight(query, c.Article))));
            }
        }
        using (var withoutExamples = KnowledgeIndex.Build(articles))
            foreach (var query in tune)
                rows.AddRange(withoutExamples.Candidates(query.Query, category(query.Query)).Select(c => (c.Features, IsRight(query, c.Article))));
        var candidateModel = Fit(rows, CandidateFeatures.Count);

        var ranked = outOfFold.Where(x => x.Candidates.Count > 0).Select(x => (x.Query, x.Candidates, Hits: SuggestionRanker.Rank(candidateModel, x.Candidates))).ToList();
        var answerModel = Fit([.. ranked.Select(x => (AnswerFeatures.Of(x.Hits, x.Candidates), x.Query.Answerable && x.Hits.Take(3).Any(h => IsRight(x.Query, h.Article))))],
            AnswerFeatures.Count);

        var scored = outOfFold.Select(x =>
        {
            var hits = SuggestionRanker.Rank(candidateModel, x.Candidates);
            return (x.Query, Hits: hits, Short: SuggestionRanker.IsShortQuery(x.Candidates),
                Answer: x.Candidates.Count == 0 ? 0 : answerModel.Probability(AnswerFeatures.Of(hits, x.Candidates)));
        }).ToList();
        // Sentences and search-box queries each get the answer threshold that suits them, the share of the next
        // articles is chosen with the sentences (most of the data), and both must keep the same silence.
        var (answerThreshold, nextArticleShare) = ChooseThresholds([.. scored.Where(x => !x.Short).Select(x => (x.Query, x.Hits, x.Answer))], shares: null);
        var (shortAnswerThreshold, _) = ChooseThresholds([.. scored.Where(x => x.Short).Select(x => (x.Query, x.Hits, x.Answer))], shares: nextArticleShare);
        return new SuggestionRanker(fingerprint, CandidateFeatures.Names, AnswerFeatures.Names, candidateModel, answerModel,
            answerThreshold, shortAnswerThreshold, nextArticleShare);
    }

    public static bool IsRight(KnowledgeQuery query, Article article) => query.Ids.Contains(article.Id, StringComparer.OrdinalIgnoreCase);

    // A tenth of the articles lose all their examples in each fold, in the index and the classifier alike, so the ranker
    // also learns from searches for an article nobody has asked for yet, as one just published from a ticket is.
    static bool UnseenIn(string articleId, int fold) => Fold("unseen:" + articleId, 2 * Folds) == fold;

    public static int Fold(string text) => Fold(text, Folds);

    static int Fold(string text, int folds) => (int)(BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes("fold:" + text.Trim().ToLowerInvariant())), 0) % folds);

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
