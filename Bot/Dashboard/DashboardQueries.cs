using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SupportBot.Outcomes;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Dashboard;

// One row of the open queue as the dashboard shows it: the index's summary and where the ticket stands against its
// current target, from the same Sla as the cards.
public sealed record QueueRow(
    int Number, string Title, Urgency Urgency, TicketStatus Status, string Category, string? RequesterName,
    string? AssigneeName, DateTimeOffset CreatedAt, TimeSpan Age, SlaState SlaState, string SlaText, DateTimeOffset DueAt);

public sealed record QueueView(DateTimeOffset At, IReadOnlyList<QueueRow> Tickets);

// A ticket with its history and notes, for technicians (internal notes included).
public sealed record TicketView(Ticket Ticket, SlaState SlaState, string SlaText);

public sealed class DashboardQueries(ITicketStore tickets, OutcomeSource outcomes, Sla sla, TimeProvider clock, IOptions<DashboardOptions> options)
{
    readonly ConcurrentDictionary<int, (DateTimeOffset At, Task<OutcomeReport> Report)> recent = new();
    public static readonly int[] Windows = [7, 30, 90];
    const int ParallelReads = 8;

    // The open index partition gives the order (emergencies first, then by due time) and, for a ticket never reopened,
    // all its SLA needs: no history, no pause. A reopened ticket (or an index row older than that flag) is read in full.
    // One partition query for the usual queue, so the first paint does not wait for a read per ticket.
    public async Task<QueueView> QueueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var open = await tickets.ListOpenAsync(ct);
        var rows = new QueueRow?[open.Count];
        await Parallel.ForAsync(0, open.Count, new ParallelOptions { MaxDegreeOfParallelism = ParallelReads, CancellationToken = ct }, async (i, token) =>
        {
            var ticket = open[i].Reopened == false ? FromSummary(open[i]) : await tickets.GetAsync(open[i].Number, token);
            if (ticket is not { IsOpen: true }) return; // closed since the index was read
            var status = sla.For(ticket, now);
            rows[i] = new QueueRow(ticket.Number, ticket.Title, ticket.Urgency, ticket.Status, ticket.Category, ticket.Requester.Name,
                ticket.Assignee?.Name, ticket.CreatedAt, now - ticket.CreatedAt, status.Current.State, status.Text, status.Current.DueAt);
        });
        return new QueueView(now, [.. rows.OfType<QueueRow>()]);
    }

    static Ticket FromSummary(TicketSummary s) => new()
    {
        Number = s.Number,
        Title = s.Title,
        Problem = "",
        Requester = new Person(s.RequesterId, s.RequesterName),
        Assignee = s.AssigneeId is { } assignee ? new Person(assignee, s.AssigneeName) : null,
        Urgency = s.Urgency,
        UrgencyReason = "",
        Category = s.Category,
        Status = s.Status,
        CreatedAt = s.CreatedAt,
        FirstResponseDueAt = s.FirstResponseDueAt,
        FirstResponseAt = s.FirstResponseAt,
        UpdatedAt = s.UpdatedAt,
    };

    // The stats command's own computation (OutcomeSource), shared by page views of one window for StatsCacheFor. The
    // computation belongs to no request: a visitor leaving does not cancel it for the next one.
    public Task<OutcomeReport> StatsAsync(int days, CancellationToken ct)
    {
        var keep = options.Value.StatsCacheFor;
        if (keep <= TimeSpan.Zero) return outcomes.ComputeAsync(days, ct);
        var now = clock.GetUtcNow();
        var entry = recent.AddOrUpdate(days, _ => (now, Compute(days)),
            (_, old) => now - old.At < keep && !old.Report.IsFaulted && !old.Report.IsCanceled ? old : (now, Compute(days)));
        return entry.Report.WaitAsync(ct);
    }

    Task<OutcomeReport> Compute(int days) => Task.Run(() => outcomes.ComputeAsync(days, CancellationToken.None));

    public async Task<TicketView?> TicketAsync(int number, CancellationToken ct)
    {
        if (await tickets.GetAsync(number, ct) is not { } ticket) return null;
        var status = sla.For(ticket, clock.GetUtcNow());
        return new TicketView(ticket, status.Current.State, status.Text);
    }
}
