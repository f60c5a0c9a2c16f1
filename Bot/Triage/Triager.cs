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
        var scores = model.Urgency(text);
        var category = BestCategory(text, signals);
        var reasons = signals.Select(s => $"{s.Name}: \"{s.Matched}\"").ToList();

        if (signals.Any(s => s.Kind == SignalKind.SecurityOrSafety))
            return new(Urgency.Emergency, false, category, Math.Max(0.9, Score(scores, TriageLabels.Emergency)), reasons);

        double emergency = Score(scores, TriageLabels.Emergency);
        double normal = Score(scores, TriageLabels.Normal);
        double unclear = Score(scores, TriageLabels.Unclear);

        // Each kind of signal counts once, however many phrases matched.
        var kinds = signals.Select(s => s.Kind).ToHashSet();
        if (kinds.Contains(SignalKind.HappeningNow)) emergency += 0.35;
        if (kinds.Contains(SignalKind.Widespread)) emergency += 0.3;
        if (kinds.Contains(SignalKind.NoRush)) normal += 0.35;

        var total = emergency + normal + unclear;
        emergency /= total; normal /= total; unclear /= total;

        if (emergency >= SureEnough && emergency - normal >= LeanMargin)
            return new(Urgency.Emergency, false, category, Round(emergency), With(reasons, $"model: emergency {emergency:0.00}"));
        if (normal >= SureEnough && normal - emergency >= LeanMargin)
            return new(Urgency.Normal, false, category, Round(normal), With(reasons, $"model: normal {normal:0.00}"));

        // Not sure: ask. Lean towards emergency unless the words lean clearly towards normal, so a class is never left waiting.
        var urgency = normal > emergency + unclear ? Urgency.Normal : Urgency.Emergency;
        var confidence = urgency == Urgency.Emergency ? emergency + unclear : normal;
        return new(urgency, true, category, Round(confidence), With(reasons, $"unsure: emergency {emergency:0.00}, normal {normal:0.00}, unclear {unclear:0.00}"));
    }

    string BestCategory(string text, IReadOnlyList<Signal> signals)
    {
        if (signals.Any(s => s.Kind == SignalKind.SecurityOrSafety && s.Name != "safety hazard"))
            return "security";
        var scores = model.Category(text);
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
