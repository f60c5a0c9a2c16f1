using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Surveys;

public static class PollVerbs
{
    public const string Rate = "poll.rate";
    public const string FirstTimeFix = "poll.firstTimeFix";
    public const string Comment = "poll.comment";
    public const string NotFixed = "poll.notFixed";

    public static bool IsPollVerb(string? verb) => verb?.StartsWith("poll.", StringComparison.Ordinal) == true;
}

// Names the poll only (the ticket and which resolution of it); the answer rides beside it. Everything else is on the server.
public sealed record PollActionData(int Ticket, int Resolution, int Rating = 0, string? Fixed = null, string? Comment = null);

// One poll: asked once per resolution of a ticket (a reopen and a new resolution ask again), answered once by its requester.
// It keeps what the figures need without reading the ticket again: who fixed it, the category, urgency and times.
public sealed record PollRecord
{
    public required int Ticket { get; init; }
    // The Seq of the Resolved event that asked: one poll per resolution.
    public required int Resolution { get; init; }
    public required string TicketTitle { get; init; }
    public required string RequesterId { get; init; }
    public string? RequesterName { get; init; }
    public string? TechnicianId { get; init; }
    public string? TechnicianName { get; init; }
    public required string Category { get; init; }
    public required Urgency Urgency { get; init; }
    public required DateTimeOffset FiledAt { get; init; }
    public DateTimeOffset? FirstResponseAt { get; init; }
    public required DateTimeOffset ResolvedAt { get; init; }
    public required DateTimeOffset AskedAt { get; init; }
    // Where the requester is reached (their ticket card's conversation), for the reminder.
    public string? ServiceUrl { get; init; }
    public string? ConversationId { get; init; }
    // 1 (very dissatisfied) to 5 (very satisfied).
    public int? Rating { get; init; }
    public DateTimeOffset? RatedAt { get; init; }
    public bool? FirstTimeFix { get; init; }
    public DateTimeOffset? FirstTimeFixAt { get; init; }
    public string? Comment { get; init; }
    public DateTimeOffset? CommentAt { get; init; }
    // "It's not fixed": the ticket was reopened from this poll.
    public DateTimeOffset? NotFixedAt { get; init; }
    public DateTimeOffset? RemindedAt { get; init; }

    public string Id => $"{Ticket}-{Resolution}";
    public bool Answered => Rating is not null || NotFixedAt is not null;
    public bool IsLow => Rating is <= 2 || NotFixedAt is not null;

    public static PollRecord For(Ticket t, int resolution, DateTimeOffset now) => new()
    {
        Ticket = t.Number,
        Resolution = resolution,
        TicketTitle = t.Title,
        RequesterId = t.Requester.TeamsId,
        RequesterName = t.Requester.Name,
        TechnicianId = t.Assignee?.TeamsId,
        TechnicianName = t.Assignee?.Name,
        Category = t.Category,
        Urgency = t.Urgency,
        FiledAt = t.CreatedAt,
        FirstResponseAt = t.FirstResponseAt,
        ResolvedAt = t.ResolvedAt ?? now,
        AskedAt = now,
        ServiceUrl = t.RequesterCard?.ServiceUrl,
        ConversationId = t.RequesterCard?.ConversationId,
    };

    // The resolution a poll is about: the ticket's latest Resolved event, while it is still resolved.
    public static int? CurrentResolution(Ticket t) =>
        t.Status is TicketStatus.Resolved or TicketStatus.Closed ? t.History.LastOrDefault(e => e.Kind == TicketEventKind.Resolved)?.Seq : null;
}

public static class Ratings
{
    public const int Lowest = 1;
    public const int Highest = 5;

    // Words first; the emoji only accompanies them.
    public static string InWords(int rating) => rating switch
    {
        1 => "Very dissatisfied",
        2 => "Dissatisfied",
        3 => "Neither satisfied nor dissatisfied",
        4 => "Satisfied",
        5 => "Very satisfied",
        _ => "Unknown",
    };

    public static string Emoji(int rating) => rating switch { 1 => "😞", 2 => "🙁", 3 => "😐", 4 => "🙂", 5 => "😀", _ => "" };
}
