using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Escalation;

public enum SlaTargetKind { FirstResponse, Resolution }

// One escalation: a ticket's target reaching a state (due soon, breached) for a given due time. A reopened ticket gets a
// new resolution due time, so it can be flagged again; the same target, state and due time never twice.
public sealed record SlaAlert(int Ticket, SlaTargetKind Target, SlaState State, DateTimeOffset DueAt)
{
    // Deterministic, so every instance and every restart names the same alert the same way.
    public string Key => $"{Target}-{State}-{DueAt.UtcTicks:D19}";
    public string DedupeKey => $"sla|{Ticket}|{Key}";

    // The first reply until there is one, then the resolution; nothing for a ticket that is no longer open.
    public static SlaAlert? For(Ticket ticket, SlaStatus status)
    {
        if (!ticket.IsOpen) return null;
        var (kind, target) = status.FirstResponse.StoppedAt is null
            ? (SlaTargetKind.FirstResponse, status.FirstResponse)
            : (SlaTargetKind.Resolution, status.Resolution);
        return target is { StoppedAt: null, State: SlaState.DueSoon or SlaState.Breached }
            ? new SlaAlert(ticket.Number, kind, target.State, target.DueAt)
            : null;
    }

    // An emergency nobody has picked up within its first-response target: on call is mentioned again.
    public bool CallsOnCall(Ticket ticket) =>
        Target == SlaTargetKind.FirstResponse && State == SlaState.Breached && ticket.Urgency == Urgency.Emergency;
}
