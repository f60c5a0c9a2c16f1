using System.Text.Json.Serialization;
using SupportBot.Triage;

namespace SupportBot.Tickets;

[JsonConverter(typeof(JsonStringEnumConverter<TicketStatus>))]
public enum TicketStatus { New, InProgress, WaitingOnRequester, Resolved, Closed, Cancelled }

// Who asked: what Teams and (when configured) the directory know. Only TeamsId is always there.
public sealed record Person(
    string TeamsId,
    string? Name = null,
    string? AadObjectId = null,
    string? Email = null,
    string? UserPrincipalName = null,
    string? Department = null,
    string? JobTitle = null,
    string? OfficeLocation = null);

public sealed record Flag(bool Required, string? Reason = null);

// A message the bot posted and keeps up to date (PUT to its id).
public sealed record PostedCard(string? ServiceUrl, string ConversationId, string ActivityId);

[JsonConverter(typeof(JsonStringEnumConverter<TicketEventKind>))]
public enum TicketEventKind
{
    Filed, StatusChanged, Assigned, RequesterDetails, LocationGiven, NoteToRequester, InternalNote,
    FlagChanged, Resolved, Reopened, Cancelled, Closed, LinkedToIncident, UnlinkedFromIncident,
    // The requester's answer to the satisfaction poll (Surveys/): shown to technicians only.
    Feedback,
}

// One change in a ticket's history: who, what, when. Notes carry their text; internal notes are never shown to the requester.
// ChangeId: the activity that made the change, so a retried write is recognised as already done.
public sealed record TicketEvent(int Seq, DateTimeOffset At, string ById, string? ByName, TicketEventKind Kind, string Summary, string? Text = null, string? ChangeId = null)
{
    public bool IsInternal => Kind == TicketEventKind.InternalNote;
    public bool IsNoteForRequester => Kind is TicketEventKind.RequesterDetails or TicketEventKind.NoteToRequester or TicketEventKind.Resolved && Text is not null;
}

public sealed record Ticket
{
    public required int Number { get; init; }
    public required string Title { get; init; }
    // Exactly as typed, up to TicketLimits.ProblemChars.
    public required string Problem { get; init; }
    public bool ProblemCut { get; init; }
    public required Person Requester { get; init; }
    // Someone else turned the requester's Teams message into this ticket ("File as ticket"); SourceMessageLink opens it.
    public Person? FiledBy { get; init; }
    public string? SourceMessageLink { get; init; }
    public required Urgency Urgency { get; init; }
    // In plain words, for the requester ("You said a class is waiting").
    public required string UrgencyReason { get; init; }
    public required string Category { get; init; }
    public IReadOnlyList<string> TriageReasons { get; init; } = [];
    public TicketStatus Status { get; init; } = TicketStatus.New;
    public Person? Assignee { get; init; }
    public Flag RequiresBudget { get; init; } = new(false);
    public Flag RequiresApproval { get; init; } = new(false);
    public IReadOnlyList<string> SuggestedArticles { get; init; } = [];
    // null: nothing was suggested; false: the requester said the suggestions did not help.
    public bool? SuggestionsHelped { get; init; }
    // How far the requester got in a guided walkthrough before saying it still wasn't working.
    public Knowledge.StepsTried? StepsTried { get; init; }
    public string? Location { get; init; }
    public bool AskForLocation { get; init; }
    // A security incident: the article whose steps the requester must take now.
    public string? DoNowArticleId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset FirstResponseDueAt { get; init; }
    public DateTimeOffset? FirstResponseAt { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public PostedCard? RequesterCard { get; init; }
    public PostedCard? TechnicianCard { get; init; }
    // The major incident this ticket is linked under (Incidents/), while it is.
    public string? MajorIncident { get; init; }
    public IReadOnlyList<TicketEvent> History { get; init; } = [];

    public bool IsOpen => Status.IsOpen();
    public IEnumerable<TicketEvent> NotesForRequester => History.Where(e => e.IsNoteForRequester);
    public IEnumerable<TicketEvent> InternalNotes => History.Where(e => e.IsInternal);
}

public static class TicketStatusExtensions
{
    public static bool IsOpen(this TicketStatus status) =>
        status is TicketStatus.New or TicketStatus.InProgress or TicketStatus.WaitingOnRequester;

    public static string InWords(this TicketStatus status) => status switch
    {
        TicketStatus.New => "New",
        TicketStatus.InProgress => "In progress",
        TicketStatus.WaitingOnRequester => "Waiting for you",
        TicketStatus.Resolved => "Resolved",
        TicketStatus.Closed => "Closed",
        TicketStatus.Cancelled => "Cancelled",
        _ => status.ToString(),
    };
}

// One row of a list (my tickets, the queue): enough to show and sort without reading the whole ticket.
// Reopened: whether the history has a reopen (then its resolution target depends on that history); null in rows written
// before it was recorded.
public sealed record TicketSummary(
    int Number, string Title, TicketStatus Status, Urgency Urgency, string Category,
    string RequesterId, string? RequesterName, string? AssigneeId, string? AssigneeName,
    DateTimeOffset CreatedAt, DateTimeOffset FirstResponseDueAt, DateTimeOffset UpdatedAt, DateTimeOffset? FirstResponseAt = null,
    bool? Reopened = null)
{
    public static TicketSummary Of(Ticket t) => new(
        t.Number, t.Title, t.Status, t.Urgency, t.Category, t.Requester.TeamsId, t.Requester.Name,
        t.Assignee?.TeamsId, t.Assignee?.Name, t.CreatedAt, t.FirstResponseDueAt, t.UpdatedAt, t.FirstResponseAt,
        t.History.Any(e => e.Kind == TicketEventKind.Reopened));
}

public static class TicketLimits
{
    public const int ProblemChars = 4_000;
    public const int NoteChars = 2_000;
    public const int TitleChars = 70;
}
