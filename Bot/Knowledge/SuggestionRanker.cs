using System.Text.Json;

namespace SupportBot.Knowledge;

// A logistic regression over standardised features, as ML.NET learnt it; evaluated here so a search needs no ML.NET.
public sealed record LinearModel(float[] Means, float[] Scales, float[] Weights, float Bias)
{
    public float Probability(ReadOnlySpan<float> features)
    {
        var z = Bias;
        for (var i = 0; i < Weights.Length; i++)
            z += Weights[i] * (features[i] - Means[i]) / Scales[i];
        return 1f / (1f + MathF.Exp(-z));
    }
}

// Which articles to suggest for a message, learnt by `kb train` from the tuning messages and queries and kept in
// knowledge/ranker.json. Two steps: Candidates orders the articles the search found by how likely each is to be the
// one (CandidateFeatures); Answer then decides from the best of them and what the message is about
// (AnswerFeatures) whether any article is likely to help at all. The first article is shown when Answer reaches
// AnswerThreshold (ShortAnswerThreshold for a search-box query of a few words, which carries less evidence than a
// sentence and is rarely anything but an IT question), the next ones only when their share of the chance among all the articles found (how likely each is
// to be the one, given that one is) reaches NextArticleShare. When Answer holds back and the best article has no examples
// (published from a ticket), UnseenAnswer gives it a second chance from the search's evidence alone
// (UnseenAnswerFeatures): Answer leans on text models that never learnt such an article.
public sealed record SuggestionRanker(
    string Fingerprint,
    IReadOnlyList<string> CandidateFeatureNames,
    IReadOnlyList<string> AnswerFeatureNames,
    LinearModel Candidates,
    LinearModel Answer,
    float AnswerThreshold,
    float ShortAnswerThreshold,
    float NextArticleShare,
    IReadOnlyList<string> UnseenAnswerFeatureNames,
    LinearModel UnseenAnswer,
    float UnseenAnswerThreshold,
    float UnseenShortAnswerThreshold)
{
    public const string FileName = "ranker.json";
    public const int ShortQueryConcepts = 4;
    static readonly float ShortQueryFeature = MathF.Log(1 + ShortQueryConcepts);

    public static bool IsShortQuery(IReadOnlyList<Candidate> found) => found.Count > 0 && found[0].Features[CandidateFeatures.Concepts] <= ShortQueryFeature;

    public IReadOnlyList<SearchHit> Choose(IReadOnlyList<Candidate> found, int top)
    {
        if (found.Count == 0 || top <= 0) return [];
        var ranked = Rank(Candidates, found);
        return Answers(ranked, found) ? Shown(ranked, NextArticleShare, top) : [];
    }

    public static bool BestIsUnseen(IReadOnlyList<SearchHit> ranked, IReadOnlyList<Candidate> found) =>
        found.First(c => ReferenceEquals(c.Article, ranked[0].Article)).Features[CandidateFeatures.HasExamples] == 0;

    bool Answers(IReadOnlyList<SearchHit> ranked, IReadOnlyList<Candidate> found)
    {
        var isShort = IsShortQuery(found);
        var features = AnswerFeatures.Of(ranked, found);
        if (Answer.Probability(features) >= (isShort ? ShortAnswerThreshold : AnswerThreshold)) return true;
        return BestIsUnseen(ranked, found)
            && UnseenAnswer.Probability(UnseenAnswerFeatures.From(features)) >= (isShort ? UnseenShortAnswerThreshold : UnseenAnswerThreshold);
    }

    // The candidates as hits, most likely first (ties by id, so the order never depends on the search's).
    public static List<SearchHit> Rank(LinearModel candidates, IReadOnlyList<Candidate> found) =>
        [.. found.Select(c => new SearchHit(c.Article, candidates.Probability(c.Features))).OrderByDescending(h => h.Score).ThenBy(h => h.Article.Id, StringComparer.Ordinal)];

    // Of an answered search: the first article, and the next ones whose share of the chance found reaches nextArticleShare.
    public static List<SearchHit> Shown(IReadOnlyList<SearchHit> ranked, float nextArticleShare, int top)
    {
        var total = ranked.Sum(h => h.Score);
        return [.. ranked.Where((h, i) => i == 0 || h.Score >= nextArticleShare * total).Take(top)];
    }

    public static SuggestionRanker Load(string path)
    {
        var ranker = JsonSerializer.Deserialize<SuggestionRanker>(File.ReadAllText(path), JsonLines.Options)
            ?? throw new InvalidDataException($"{path}: empty");
        if (!ranker.CandidateFeatureNames.SequenceEqual(CandidateFeatures.Names) || !ranker.AnswerFeatureNames.SequenceEqual(AnswerFeatures.Names)
            || ranker.UnseenAnswerFeatureNames is null || ranker.UnseenAnswer is null || !ranker.UnseenAnswerFeatureNames.SequenceEqual(UnseenAnswerFeatures.Names))
            throw new InvalidDataException($"{path} was trained on other features than this build computes; run 'kb train'");
        return ranker;
    }

    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, new JsonSerializerOptions(JsonLines.Options) { WriteIndented = true }) + "\n");
}
