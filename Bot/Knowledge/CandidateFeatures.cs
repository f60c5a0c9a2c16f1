namespace SupportBot.Knowledge;

// The evidence the ranker weighs for one article found for one message. Scores are compressed (log) and also given
// relative to the best candidate, because BM25 scores grow with the length of the message.
public static class CandidateFeatures
{
    public const int Count = 15;
    public const int Coverage = 6, Concepts = 10, HasExamples = 11, ClassifierProbability = 12, ClassifierNone = 13, ItProblem = 14;

    public static readonly IReadOnlyList<string> Names =
    [
        "articleScore", "articleRelative", "articleRank", "exampleScore", "exampleRelative", "exampleVotes",
        "coverage", "matchedInformation", "titleCoverage", "sameCategory", "concepts", "hasExamples",
        "classifierProbability", "classifierNone", "itProblem",
    ];

    // articleRank: the article's place in the article search (0 first), -1 when only the examples found it.
    public static float[] Of(float articleScore, float articleRelative, int articleRank, float exampleScore, float exampleRelative,
        float exampleVotes, float coverage, float matchedInformation, float titleCoverage, bool sameCategory, int concepts, bool hasExamples,
        float classifierProbability, float classifierNone, float itProblem) =>
    [
        MathF.Log(1 + articleScore),
        articleRelative,
        articleRank < 0 ? 0 : 1f / (1 + articleRank),
        MathF.Log(1 + exampleScore),
        exampleRelative,
        exampleVotes,
        coverage,
        MathF.Log(1 + matchedInformation),
        titleCoverage,
        sameCategory ? 1 : 0,
        MathF.Log(1 + concepts),
        hasExamples ? 1 : 0,
        classifierProbability,
        classifierNone,
        itProblem,
    ];
}

// What the answer step weighs for a whole message: how sure the ranker is of its best article and how far ahead of
// the next that article is, what the text models say of the message itself, and the best article's own evidence.
public static class AnswerFeatures
{
    public const int Count = 8 + CandidateFeatures.Count;

    public static readonly IReadOnlyList<string> Names =
    [
        "bestChance", "secondChance", "lead", "bestClassifierProbability", "classifierNone", "itProblem", "bestCoverage", "concepts",
        .. CandidateFeatures.Names.Select(name => "best." + name),
    ];

    // ranked: the candidates' hits, most likely first; found: the candidates with their features.
    public static float[] Of(IReadOnlyList<SearchHit> ranked, IReadOnlyList<Candidate> found)
    {
        var best = found.First(c => ReferenceEquals(c.Article, ranked[0].Article)).Features;
        var second = ranked.Count > 1 ? ranked[1].Score : 0;
        return
        [
            Logit(ranked[0].Score),
            Logit(second),
            ranked[0].Score - second,
            best[CandidateFeatures.ClassifierProbability],
            best[CandidateFeatures.ClassifierNone],
            best[CandidateFeatures.ItProblem],
            best[CandidateFeatures.Coverage],
            best[CandidateFeatures.Concepts],
            .. best,
        ];
    }

    static float Logit(float p)
    {
        var q = Math.Clamp(p, 1e-4f, 1 - 1e-4f);
        return MathF.Log(q / (1 - q));
    }
}

// The second chance for a best article nobody has asked for yet (published from a ticket): the text models never
// learnt it, so what they say of the message ("no article", "not an IT problem": a laminator is neither) is left out.
// What counts is the ranker's chances (which weigh the text models among much else), how much of the message and the
// title the article covers, and its search scores.
public static class UnseenAnswerFeatures
{
    static readonly int[] FromAnswer = [.. new[]
    {
        "bestChance", "secondChance", "lead", "bestCoverage", "concepts", "best.articleScore", "best.articleRelative", "best.articleRank",
        "best.matchedInformation", "best.titleCoverage", "best.sameCategory",
    }.Select(name => AnswerFeatures.Names.ToList().IndexOf(name))];

    public static readonly IReadOnlyList<string> Names = [.. FromAnswer.Select(i => AnswerFeatures.Names[i])];

    public static float[] Of(IReadOnlyList<SearchHit> ranked, IReadOnlyList<Candidate> found) => From(AnswerFeatures.Of(ranked, found));

    // answer: the message's AnswerFeatures.
    public static float[] From(float[] answer) => [.. FromAnswer.Select(i => answer[i])];
}
