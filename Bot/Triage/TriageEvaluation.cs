namespace SupportBot.Triage;

public sealed record TriageMetrics(
    int Items,
    double EmergencyRecall,
    double NormalSpecificity,
    double UnclearHandled,
    double ConfirmOnClear,
    int SecurityItems,
    int SecurityMissed,
    double CategoryAccuracy,
    IReadOnlyList<(LabelledMessage Item, TriageResult Result)> Misses)
{
    public override string ToString() => string.Join(Environment.NewLine,
        $"items                      {Items}",
        $"emergency recall           {EmergencyRecall:0.000}   (target >= 0.95)",
        $"normal specificity         {NormalSpecificity:0.000}   (target >= 0.90)",
        $"unclear asked or emergency {UnclearHandled:0.000}   (target >= 0.85)",
        $"confirm on clear items     {ConfirmOnClear:0.000}   (target <= 0.15)",
        $"security items missed      {SecurityMissed} of {SecurityItems}   (target 0)",
        $"category accuracy          {CategoryAccuracy:0.000}");
}

public static class TriageEvaluation
{
    public static TriageMetrics Evaluate(ITriage triage, IReadOnlyList<LabelledMessage> items)
    {
        var results = items.Select(i => (Item: i, Result: triage.Triage(i.Text))).ToList();
        var emergencies = results.Where(r => r.Item.Label == TriageLabels.Emergency).ToList();
        var normals = results.Where(r => r.Item.Label == TriageLabels.Normal).ToList();
        var unclear = results.Where(r => r.Item.Label == TriageLabels.Unclear).ToList();
        var clear = emergencies.Concat(normals).ToList();
        // Security incidents; a calm question about security ("how do I spot a phish?") is labelled normal and is not one.
        var security = results.Where(r => r.Item.Category == "security" && r.Item.Label != TriageLabels.Normal).ToList();

        var misses = results.Where(r => r.Item.Label switch
        {
            TriageLabels.Emergency => r.Result.Urgency != Urgency.Emergency,
            TriageLabels.Normal => r.Result.Urgency != Urgency.Normal,
            _ => !r.Result.Confirm && r.Result.Urgency != Urgency.Emergency,
        }).ToList();

        return new TriageMetrics(
            results.Count,
            Ratio(emergencies.Count(r => r.Result.Urgency == Urgency.Emergency), emergencies.Count),
            Ratio(normals.Count(r => r.Result.Urgency == Urgency.Normal), normals.Count),
            Ratio(unclear.Count(r => r.Result.Confirm || r.Result.Urgency == Urgency.Emergency), unclear.Count),
            Ratio(clear.Count(r => r.Result.Confirm), clear.Count),
            security.Count,
            security.Count(r => r.Result.Urgency != Urgency.Emergency),
            Ratio(results.Count(r => r.Result.Category == r.Item.Category), results.Count),
            misses);
    }

    static double Ratio(int part, int whole) => whole == 0 ? 1 : (double)part / whole;
}
