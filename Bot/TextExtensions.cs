namespace SupportBot;

public static class TextExtensions
{
    // At most max characters of the text, marked as cut when it was.
    public static string Shorten(this string text, int max) => text.Length <= max ? text : text[..max].TrimEnd() + "…";
}
