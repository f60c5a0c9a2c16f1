using System.Text.RegularExpressions;
using SupportBot.Triage;

namespace SupportBot.Tickets;

// The words a ticket is shown with: a short title from what was typed, where the person is, and why it is urgent or not.
public static partial class TicketWording
{
    public static string Title(string problem, string category)
    {
        var text = Whitespace().Replace(problem, " ").Trim();
        // Greetings and apologies say nothing about the problem.
        for (var previous = ""; previous != text;)
        {
            previous = text;
            text = Opening().Replace(text, "").Trim();
        }
        var sentence = SentenceEnd().Split(text).FirstOrDefault(s => s.Any(char.IsLetterOrDigit))?.Trim() ?? "";
        if (sentence.Length == 0)
            return category is "" or "other" ? "IT request" : $"{char.ToUpperInvariant(category[0])}{category[1..]} request";
        if (sentence.Length > TicketLimits.TitleChars)
        {
            var cut = sentence.LastIndexOf(' ', TicketLimits.TitleChars - 1);
            sentence = sentence[..(cut > 20 ? cut : TicketLimits.TitleChars - 1)].TrimEnd(',', ';', ':', '-', ' ') + "…";
        }
        return char.ToUpperInvariant(sentence[0]) + sentence[1..].TrimEnd('.', '!', '?', ',', ' ');
    }

    // A room, lab or other place named in the text ("room 12", "rm 6", "the library"), or null. Product names that
    // look like rooms ("Office 365", "Visual Studio 2022") are not places.
    public static string? Place(string text)
    {
        var match = PlaceInText().Match(text);
        return match.Success ? Whitespace().Replace(match.Value, " ").Trim() : null;
    }

    // Why the ticket has its urgency, in words the requester recognises.
    public static string UrgencyReason(string problem, Urgency urgency, bool confirmedByRequester, string category = "")
    {
        var kinds = Signals.Find(problem.Length > 2000 ? problem[..2000] : problem).Select(s => s.Kind).ToHashSet();
        if (urgency == Urgency.Emergency)
        {
            if (kinds.Contains(SignalKind.SecurityOrSafety) || category == "security")
                return "It looks like a security or safety problem, and minutes matter.";
            if (kinds.Contains(SignalKind.Widespread))
                return "Many people seem to be affected.";
            if (confirmedByRequester)
                return "You said it is stopping a class, a meeting or other work right now.";
            return "It sounds like it is stopping a class, a meeting or other work right now.";
        }
        return confirmedByRequester
            ? "You said it can wait, so it is in the normal queue."
            : "It doesn't sound like it is stopping work right now, so it is in the normal queue. If it is, add that as a detail.";
    }

    [GeneratedRegex(@"^(hi+|hello|hey|hiya|good (morning|afternoon|evening)|morning|afternoon|dear (it|help ?desk|team|all)|it team|team|all|there|sorry( to bother you)?( again)?|apologies|quick question|urgent|help|please|pls|plz|so|um+|erm+|ok|okay)\b[\s,!.:;\-]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Opening();

    [GeneratedRegex(@"(?<=[.!?])\s+|\n")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\b((?!(?:office|studio)\s*(?:365|20\d\d)\b)(room|rm|classroom|class room|lab|suite|office|studio|block|building|bldg|floor|level|wing|portable|hut|hall)\s*#?\s*[a-z]?\d+[a-z]?\b|\b[a-z]\d{1,3}\b(?=\s*(room|lab|classroom))|\b(the\s+)?(library|staff ?room|staffroom|reception|main office|front office|sports hall|main hall|assembly hall|gym|gymnasium|canteen|cafeteria|dining hall|auditorium|theatre|music room|art room|science lab|computer lab|ict suite|it suite|boardroom|board room|meeting room \w+|conference room \w*|server room|head'?s office|kitchen|playground|car park)\b|\b(upstairs|downstairs|ground floor|first floor|second floor|third floor)\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PlaceInText();
}
