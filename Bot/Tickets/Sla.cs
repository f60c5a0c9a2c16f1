using SupportBot.Triage;

namespace SupportBot.Tickets;

public enum SlaState { OnTrack, DueSoon, Breached, Met }

// One response target of a ticket at a given moment. StoppedAt: when its clock stopped (first reply, resolution,
// cancellation); null while it is still running. A stopped target is Met or Breached for good.
public sealed record SlaTarget(SlaState State, DateTimeOffset DueAt, DateTimeOffset? StoppedAt = null);

// Text: one short line for cards and lists, about the target that matters now.
public sealed record SlaStatus(SlaTarget FirstResponse, SlaTarget Resolution, string Text)
{
    // The target the text is about: the first reply until there is one, then the resolution.
    public SlaTarget Current => FirstResponse.StoppedAt is null ? FirstResponse : Resolution;
}

// Where a ticket stands against its response targets. Pure over (ticket, now, support options), so cards, lists and
// the escalation timer agree.
public sealed class Sla(SupportHours hours)
{
    SupportOptions Options => hours.Options;

    // The due time set when a ticket is filed (Ticket.FirstResponseDueAt keeps it, as promised to the requester).
    public DateTimeOffset FirstResponseDueAt(Urgency urgency, DateTimeOffset filedAt) => hours.FirstResponseDueAt(urgency, filedAt);

    // Counted from filing; time spent resolved before a reopen does not count against it.
    public DateTimeOffset ResolutionDueAt(Ticket ticket)
    {
        var remaining = Options.ResolutionTarget(ticket.Urgency);
        var from = ticket.CreatedAt;
        foreach (var (resolved, reopened) in Pauses(ticket))
        {
            if (resolved <= from) { from = reopened > from ? reopened : from; continue; }
            var used = hours.TimeBetween(ticket.Urgency, from, resolved);
            if (used >= remaining) break;
            remaining -= used;
            from = reopened;
        }
        return hours.DueAt(ticket.Urgency, from, remaining);
    }

    public SlaStatus For(Ticket ticket, DateTimeOffset now)
    {
        var stoppedBy = ticket.ResolvedAt ?? ticket.ClosedAt ?? ticket.UpdatedAt;
        var first = Evaluate(ticket, ticket.FirstResponseDueAt, Options.FirstResponseTarget(ticket.Urgency),
            ticket.FirstResponseAt ?? (ticket.IsOpen ? null : stoppedBy), now);
        var resolution = Evaluate(ticket, ResolutionDueAt(ticket), Options.ResolutionTarget(ticket.Urgency),
            ticket.IsOpen ? null : stoppedBy, now);
        return new SlaStatus(first, resolution, Text(ticket, first, resolution, now));
    }

    SlaTarget Evaluate(Ticket ticket, DateTimeOffset due, TimeSpan target, DateTimeOffset? stopped, DateTimeOffset now)
    {
        if (stopped is { } at) return new(at <= due ? SlaState.Met : SlaState.Breached, due, at);
        if (now > due) return new(SlaState.Breached, due);
        var left = hours.TimeBetween(ticket.Urgency, now, due);
        var soon = target * Options.DueSoonFraction;
        if (Options.DueSoonWindow > soon) soon = Options.DueSoonWindow;
        return new(left <= soon ? SlaState.DueSoon : SlaState.OnTrack, due);
    }

    string Text(Ticket ticket, SlaTarget first, SlaTarget resolution, DateTimeOffset now)
    {
        if (ticket.Status == TicketStatus.Cancelled) return "Cancelled: no target applies";
        if (first.StoppedAt is null) return Running(ticket, first, "first reply", "for the first reply", "no first reply yet", now);
        if (resolution.StoppedAt is not { } resolvedAt) return Running(ticket, resolution, "resolution", "to resolve", "not resolved yet", now);
        return resolution.State == SlaState.Met ? "Met: resolved in time" : $"Breached: resolved {Span(resolvedAt - resolution.DueAt)} late";
    }

    string Running(Ticket ticket, SlaTarget target, string what, string forWhat, string missing, DateTimeOffset now)
    {
        if (target.State == SlaState.Breached) return $"Breached {Span(now - target.DueAt)} ago: {missing}";
        var by = $"{what} due by {hours.LocalTime(target.DueAt, now)}";
        if (target.State == SlaState.OnTrack) return $"On track: {by}";
        // "12 min left" only when the clock runs all that time; across a closed night "17 h left" would mislead.
        var left = target.DueAt - now;
        return left == hours.TimeBetween(ticket.Urgency, now, target.DueAt) ? $"Due soon: {Span(left)} left {forWhat}" : $"Due soon: {by}";
    }

    // (resolved, reopened) pairs from the history, in order; the current resolution, if any, is a stop, not a pause.
    static IEnumerable<(DateTimeOffset Resolved, DateTimeOffset Reopened)> Pauses(Ticket ticket)
    {
        DateTimeOffset? resolved = null;
        foreach (var e in ticket.History.OrderBy(e => e.Seq))
        {
            if (e.Kind == TicketEventKind.Resolved) resolved ??= e.At;
            else if (e.Kind == TicketEventKind.Reopened && resolved is { } at)
            {
                yield return (at, e.At);
                resolved = null;
            }
        }
    }

    // Whole units, rounded down: "under a minute", "12 min", "2 h 5 min", "3 days 1 h".
    internal static string Span(TimeSpan span)
    {
        if (span < TimeSpan.FromMinutes(1)) return "under a minute";
        if (span < TimeSpan.FromHours(1)) return $"{span.Minutes} min";
        if (span < TimeSpan.FromDays(1)) return span.Minutes == 0 ? $"{span.Hours} h" : $"{span.Hours} h {span.Minutes} min";
        var days = span.Days == 1 ? "1 day" : $"{span.Days} days";
        return span.Hours == 0 ? days : $"{days} {span.Hours} h";
    }
}
