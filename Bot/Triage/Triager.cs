namespace SupportBot.Triage;

public interface ITriage
{
    TriageResult Triage(string text);
}

// Emergency or not, as a help-desk technician would judge it: the model's reading of the words,
// overruled by signals that must never be missed (security and safety), nudged by urgency and calm phrases.
public sealed class Triager(TriageModel model) : ITriage
{
    const double LeanMargin = 0.15;
    const double SureEnough = 0.62;

    public TriageResult Triage(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!TriageInput.HasWords(text))
            return new(Urgency.Normal, true, "other", 0, ["no words to go on: ask what is wrong"]);
        var signals = Signals.Find(text.Length > TriageModel.MaxChars ? text[..TriageModel.MaxChars] : text);
        var (scores, categories) = model.Predict(text);
        var category = BestCategory(categories, signals);
        var reasons = signals.Select(s => $"{s.Name}: \"{s.Matched}\"").ToList();

        var security = signals.Any(s => s.Kind == SignalKind.SecurityOrSafety);
        var askingHowTo = signals.Any(s => s.Name == Signals.HowToQuestion);
        if (security && !askingHowTo)
            return new(Urgency.Emergency, false, category, Round(Math.Max(0.9, Score(scores, TriageLabels.Emergency))), reasons);

        double emergency = Score(scores, TriageLabels.Emergency);
        double normal = Score(scores, TriageLabels.Normal);
        double unclear = Score(scores, TriageLabels.Unclear);

        // Each kind of signal counts once, except that "now" and "work is stopped" together say more than either.
        var kinds = signals.Select(s => s.Kind).ToHashSet();
        emergency += 0.35 * Math.Min(2, signals.Count(s => s.Kind == SignalKind.HappeningNow));
        if (kinds.Contains(SignalKind.Widespread)) emergency += 0.3;
        if (kinds.Contains(SignalKind.NoRush)) normal += 0.35;

        var total = emergency + normal + unclear;
        emergency /= total; normal /= total; unclear /= total;

        // A question about security ("how do I spot a phish?") may be no incident at all: ask rather than assume.
        if (security)
        {
            var lean = emergency >= normal ? Urgency.Emergency : Urgency.Normal;
            return new(lean, true, category, Round(Math.Max(emergency, normal)), With(reasons, "security topic asked as a question"));
        }

        if (emergency >= SureEnough && emergency - normal >= LeanMargin)
            return new(Urgency.Emergency, false, category, Round(emergency), With(reasons, $"model: emergency {emergency:0.00}"));
        if (normal >= SureEnough && normal - emergency >= LeanMargin)
            return new(Urgency.Normal, false, category, Round(normal), With(reasons, $"model: normal {normal:0.00}"));

        // Not sure: ask. Until the user answers, lean whichever way the words lean, emergency on a tie.
        var urgency = normal > emergency ? Urgency.Normal : Urgency.Emergency;
        var confidence = Math.Max(emergency, normal) + unclear / 2;
        return new(urgency, true, category, Round(confidence), With(reasons, $"unsure: emergency {emergency:0.00}, normal {normal:0.00}, unclear {unclear:0.00}"));
    }

    static string BestCategory(IReadOnlyDictionary<string, float> scores, IReadOnlyList<Signal> signals)
    {
        if (signals.Any(s => s.Kind == SignalKind.SecurityOrSafety && s.Name != "safety hazard"))
            return "security";
        return scores.Count == 0 ? "other" : scores.MaxBy(kv => kv.Value).Key;
    }

    static double Score(IReadOnlyDictionary<string, float> scores, string label) => scores.TryGetValue(label, out var s) ? s : 0;

    static double Round(double value) => Math.Round(Math.Clamp(value, 0, 1), 2);

    static List<string> With(List<string> reasons, string reason)
    {
        reasons.Add(reason);
        return reasons;
    }
}
