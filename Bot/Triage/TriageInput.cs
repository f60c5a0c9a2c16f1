namespace SupportBot.Triage;

public static class TriageInput
{
    public const int MaxMessageChars = 20_000;

    // null when the text can be triaged; otherwise what to tell the caller.
    public static string? Problem(string? text) => text switch
    {
        null => "text is missing",
        _ when string.IsNullOrWhiteSpace(text) => "text is empty",
        _ => null,
    };

    public static bool HasWords(string text) => text.Any(char.IsLetterOrDigit);
}
