using Microsoft.Extensions.Options;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Incidents;

// Detection and linking: a filed report joins an open incident it is alike, or, with enough alike reports from
// different people in the window, opens one (a parent ticket) and takes them all in.
public sealed class MajorIncidents(
    MajorIncidentStore incidents,
    ITicketStore tickets,
    TicketDesk desk,
    IOptions<MajorIncidentOptions> options,
    TimeProvider clock,
    ILogger<MajorIncidents> logger)
{
    // The parent ticket's "requester": nobody to update, so its card and messages go nowhere.
    public static readonly Person Parent = new("supportbot~major-incident", "Major incident");
    const int MaxTaken = 50;

    MajorIncidentOptions Options => options.Value;

    public static bool IsParent(Ticket ticket) => ticket.Requester.TeamsId == Parent.TeamsId;

    // For a ticket that is already filed and about to be shown: if storage fails here it stays a ticket of its own
    // (posted as usual) rather than the requester hearing "not saved".
    public async Task<IncidentLink?> TryReportAsync(Ticket ticket, CancellationToken ct)
    {
        try
        {
            return await ReportAsync(ticket, ct);
        }
        catch (Exception ex) when (Storage.TableStorage.IsFailure(ex) && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Could not check ticket {Number} for a major incident: {Error}", ticket.Number, ex.GetType().Name);
            return null;
        }
    }

    // Called once for a newly filed ticket. Null: it stays a ticket of its own.
    public async Task<IncidentLink?> ReportAsync(Ticket ticket, CancellationToken ct)
    {
        if (!Options.Enabled || Options.Reports < 1 || IsParent(ticket) || ticket.MajorIncident is not null) return null;
        var keys = ReportSimilarity.Keys(ticket.Problem);
        if (keys.Count == 0) return null;
        var mine = new RecentReport(MajorIncidentStore.RecentRowKey(ticket.CreatedAt, ticket.Number), ticket.Number, ticket.Requester.TeamsId,
            ticket.CreatedAt, keys, null, false);
        await incidents.RecordAsync(ticket.Category, mine, ct);
        var now = clock.GetUtcNow();
        await incidents.PruneAsync(ticket.Category, now - Options.Window - Options.Window, ct);

        for (var attempt = 0; attempt < 10; attempt++)
        {
            var (open, etag, recent) = await incidents.ReadCategoryAsync(ticket.Category, now - Options.Window, ct);
            var joined = open.FirstOrDefault(i => i.Signatures.Any(s => ReportSimilarity.Alike(keys, s.ToHashSet(StringComparer.Ordinal), Options.Similarity)));
            if (joined is not null)
            {
                await incidents.MarkRecentAsync(ticket.Category, mine.RowKey, joined.Id, separated: false, ct);
                var parent = await EnsureAsync(joined.Id, ticket.Category, [ticket], ct);
                return parent is null ? null : await LinkAsync(parent, ticket, mine.RowKey, absorbed: false, ct) is { } linked
                    ? new IncidentLink(linked, joined.Id, [])
                    : null;
            }

            // The reports in the window about the same thing that belong to no incident yet; they must come from
            // enough different people (one person reporting three times is one report).
            var alike = Cluster(mine, recent.Where(r => r.Incident is null && !r.Separated && r.Number != ticket.Number));
            if (alike.Select(r => r.RequesterId).Distinct().Count() < Options.Reports) return null;

            var id = $"{ticket.Category}-{alike.Min(r => r.Number)}";
            var signatures = alike.Take(10).Select(r => r.Keys.ToArray()).ToList();
            if (!await incidents.TryOpenAsync(ticket.Category, etag, [.. open, new OpenIncident(id, signatures)], alike, id, ct))
                continue; // another report changed the category first: decide again on what it wrote

            var members = new List<(Ticket Ticket, RecentReport Report)>();
            foreach (var report in alike)
                if ((report.Number == ticket.Number ? ticket : await tickets.GetAsync(report.Number, ct)) is { } member)
                    members.Add((member, report));
            var opened = await EnsureAsync(id, ticket.Category, [.. members.Select(m => m.Ticket)], ct);
            if (opened is null) return null;
            Ticket? me = null;
            var absorbed = new List<int>();
            foreach (var (member, report) in members)
            {
                var linked = await LinkAsync(opened, member, report.RowKey, absorbed: member.Number != ticket.Number, ct);
                if (member.Number == ticket.Number) me = linked;
                else if (linked is not null) absorbed.Add(member.Number);
            }
            return me is null ? null : new IncidentLink(me, id, absorbed);
        }
        return null;
    }

    // This report and those alike it, or alike one that is (two steps): "wifi down", "no wifi anywhere" and "wifi is
    // offline for everyone" are one wave even where the first and second share too little on their own.
    List<RecentReport> Cluster(RecentReport mine, IEnumerable<RecentReport> candidates)
    {
        var cluster = new List<RecentReport> { mine };
        var rest = candidates.ToList();
        for (var step = 0; step < 2; step++)
        {
            var joining = rest.Where(r => cluster.Any(c => ReportSimilarity.Alike(c.Keys, r.Keys, Options.Similarity))).ToList();
            if (joining.Count == 0) break;
            cluster.AddRange(joining);
            rest.RemoveAll(joining.Contains);
        }
        return [.. cluster.OrderByDescending(r => r.At).Take(MaxTaken).OrderBy(r => r.At)];
    }

    // The incident and its parent ticket, created once whoever gets here first (and healed here if an earlier
    // turn stopped half-way). Null when it is already resolved.
    async Task<MajorIncident?> EnsureAsync(string id, string category, IReadOnlyList<Ticket> members, CancellationToken ct)
    {
        var existing = (await incidents.GetAsync(id, ct))?.Incident;
        if (existing is null)
        {
            var subject = ReportSimilarity.Describe([.. members.Select(m => m.Problem)]) ?? members[0].Title;
            await incidents.CreateAsync(new MajorIncident { Id = id, Category = category, Subject = subject, CreatedAt = clock.GetUtcNow() }, ct);
            existing = (await incidents.GetAsync(id, ct))!.Value.Incident;
        }
        if (existing.Resolved) return null;
        if (existing.ParentNumber is not null) return existing;

        var urgency = members.Any(m => m.Urgency == Urgency.Emergency) ? Urgency.Emergency : Urgency.Normal;
        var problem = $"Possible major incident: {existing.Subject}. Alike reports from several people within {Options.Window.TotalMinutes:0} minutes: "
            + string.Join(", ", members.Select(m => $"#{m.Number}")) + ".";
        var filed = await desk.FileAsync(new TicketRequest("incident|" + id, problem, Parent,
            new TriageResult(urgency, false, category, 1, [$"{members.Count} alike reports in {Options.Window.TotalMinutes:0} minutes"]), urgency, UrgencyConfirmed: false), ct);
        await tickets.UpdateAsync(filed.Ticket.Number, t => t.MajorIncident == id ? null : new TicketChange(t with { MajorIncident = id }, []), ct);
        return await incidents.UpdateAsync(id, i => i.ParentNumber is null ? i with { ParentNumber = filed.Ticket.Number } : null, ct);
    }

    async Task<Ticket?> LinkAsync(MajorIncident incident, Ticket ticket, string recentRow, bool absorbed, CancellationToken ct)
    {
        var result = await tickets.UpdateAsync(ticket.Number, t => t.MajorIncident is not null || !t.IsOpen ? null
            : new TicketChange(t with { MajorIncident = incident.Id },
                [new NewEvent(Parent.TeamsId, "SupportBot", TicketEventKind.LinkedToIncident, $"Linked to major incident #{incident.ParentNumber}")]), ct);
        if (result?.Ticket is not { } linked || linked.MajorIncident != incident.Id) return null;
        await incidents.AddReportAsync(incident.Id, new IncidentReport(linked.Number, linked.Requester.TeamsId, linked.Requester.Name, linked.CreatedAt,
            linked.Title, linked.Urgency, absorbed, recentRow), ct);
        return linked;
    }
}
