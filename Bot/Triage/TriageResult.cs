using System.Text.Json.Serialization;

namespace SupportBot.Triage;

[JsonConverter(typeof(JsonStringEnumConverter<Urgency>))]
public enum Urgency
{
    [JsonStringEnumMemberName("normal")] Normal,
    [JsonStringEnumMemberName("emergency")] Emergency,
}

// confirm: the bot should ask the user one one-click question before treating it as settled.
public sealed record TriageResult(Urgency Urgency, bool Confirm, string Category, double Confidence, IReadOnlyList<string> Reasons);

public sealed record LabelledMessage(string Text, string Label, string Category);

public static class TriageLabels
{
    public const string Emergency = "emergency";
    public const string Normal = "normal";
    public const string Unclear = "unclear";
}
