using System.Text.Json.Serialization;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Incidents;

// One ticket linked to an incident. Absorbed: it was filed (and posted to the technicians) before the incident
// existed. Separated: its requester said "My problem is different", so it is a ticket of its own again.
public sealed record IncidentReport(int Number, string RequesterId, string? RequesterName, DateTimeOffset At, string Title,
    Urgency Urgency, bool Absorbed, string RecentRow, bool Separated = false);

// A possible major incident: the parent ticket (ParentNumber) and the reports linked under it; its card in the
// technicians' channel (Card, stored once the outbox has posted it).
public sealed record MajorIncident
{
    public required string Id { get; init; }
    public required string Category { get; init; }
    public required string Subject { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public int? ParentNumber { get; init; }
    public PostedCard? Card { get; init; }
    public bool Resolved { get; init; }
    public string? Resolution { get; init; }
    public string? ResolvedByName { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    [JsonIgnore] public IReadOnlyList<IncidentReport> Reports { get; init; } = [];

    [JsonIgnore] public IReadOnlyList<IncidentReport> Linked => [.. Reports.Where(r => !r.Separated).OrderBy(r => r.At).ThenBy(r => r.Number)];
    [JsonIgnore] public bool Emergency => Linked.Any(r => r.Urgency == Urgency.Emergency);
    // What the channel card shows: when it changes, the card is rewritten.
    [JsonIgnore] public string Shown => $"{Reports.Count}|{Reports.Count(r => r.Separated)}|{Resolved}|{ParentNumber}";
}

// What filing a report led to: the ticket (now linked) and its incident; Absorbed: tickets filed earlier that this
// report made into an incident, whose requesters and channel cards are told now.
public sealed record IncidentLink(Ticket Ticket, string IncidentId, IReadOnlyList<int> Absorbed);

public static class IncidentVerbs
{
    public const string Refresh = "incident.refresh";
    public const string Resolve = "incident.resolve";
    public const string Separate = "incident.separate";

    public static bool IsIncidentVerb(string? verb) => verb?.StartsWith("incident.", StringComparison.Ordinal) == true;
}

// Card data names the incident or the ticket only; the resolution box arrives beside it.
public sealed record IncidentActionData(string? Incident = null, int Ticket = 0, string? Resolution = null);
