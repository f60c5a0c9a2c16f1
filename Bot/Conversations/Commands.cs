using System.Text.RegularExpressions;

namespace SupportBot.Conversations;

public abstract record Command
{
    public sealed record Help : Command;
    public sealed record MyTickets : Command;
    // Number is null when "status" came without one.
    public sealed record Status(int? Number) : Command;
    public sealed record NotifyMe : Command;
    // Technicians' commands.
    public sealed record Queue : Command;
    public sealed record Mine : Command;
    public sealed record Setup : Command;
    public sealed record OnCall : Command;
    public sealed record Ticket(int Number) : Command;
    public sealed record Stats(int Days) : Command;
}

// What a user may type instead of describing a problem. Anything else is a request (or small talk).
public static partial class Commands
{
    public static readonly IReadOnlyList<(string Example, string Meaning)> ForRequesters =
    [
        ("my tickets", "your open tickets, then the last five closed"),
        ("status 1042", "one of your tickets (also #1042)"),
        ("notify me", "check that I can message you with updates"),
        ("help", "this list"),
    ];

    public static readonly IReadOnlyList<(string Example, string Meaning)> ForTechnicians =
    [
        ("queue", "open tickets: emergencies first, then by due time"),
        ("mine", "open tickets assigned to you"),
        ("ticket 1042", "any ticket's full technician card"),
        ("setup", "(in a channel) make this the channel that gets new tickets"),
        ("oncall", "who is on call now, and next this week"),
        ("stats", "satisfaction, first-time fix, deflections and response times of the last 30 days (stats 7: a week)"),
    ];

    public static Command? Parse(string text)
    {
        var t = Whitespace().Replace(text.Trim().TrimEnd('.', '!', '?').ToLowerInvariant(), " ");
        if (text.Trim() == "?") return new Command.Help();
        if (t is "help" or "commands" or "what can you do" or "menu") return new Command.Help();
        if (t is "my tickets" or "tickets" or "my requests" or "my ticket") return new Command.MyTickets();
        if (t is "notify me") return new Command.NotifyMe();
        if (t is "queue" or "the queue") return new Command.Queue();
        if (t is "mine" or "my queue") return new Command.Mine();
        if (t is "setup" or "set up") return new Command.Setup();
        if (t is "oncall" or "on call" or "on-call") return new Command.OnCall();
        var stats = StatsOf().Match(t);
        if (stats.Success)
            return new Command.Stats(stats.Groups["n"].Success ? int.TryParse(stats.Groups["n"].Value, out var days) ? days : -1 : Outcomes.OutcomeSource.DefaultDays);
        var ticket = TicketOf().Match(t);
        if (ticket.Success)
            return new Command.Ticket(int.TryParse(ticket.Groups["n"].Value, out var number) ? number : -1);
        if (t is "status" or "ticket" or "status #") return new Command.Status(null);
        var status = StatusOf().Match(t);
        if (status.Success)
            return new Command.Status(int.TryParse(status.Groups["n"].Value, out var n) ? n : -1);
        return null;
    }

    [GeneratedRegex(@"^ticket\s*#?\s*(?<n>\d{1,18})$")]
    private static partial Regex TicketOf();

    [GeneratedRegex(@"^(?:status\s*(?:of\s*)?#?\s*|#)(?<n>\d{1,18})$")]
    private static partial Regex StatusOf();

    [GeneratedRegex(@"^(?:stats|statistics)(?:\s+(?:for\s+)?(?<n>\d{1,9})(?:\s*days?)?)?$")]
    private static partial Regex StatsOf();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
