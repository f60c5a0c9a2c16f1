using SupportBot.Surveys;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Outcomes;

// [From, To): what the figures are about.
public sealed record OutcomeWindow(DateTimeOffset From, DateTimeOffset To)
{
    public static OutcomeWindow LastDays(int days, DateTimeOffset now) => new(now - TimeSpan.FromDays(days), now);
    public bool Contains(DateTimeOffset at) => at >= From && at < To;
    public int Days => (int)Math.Round((To - From).TotalDays);
}

// A request closed by "This fixed it": a ticket that never had to be filed.
public sealed record Deflection(string ArticleId, string? Category, DateTimeOffset At);

// Rates are null when there is nothing to divide by (no answers, nothing resolved): "no data", never 0%.
public sealed record OutcomeFigures(
    int Opened,
    int Resolved,
    int Emergencies,
    TimeSpan? MedianFirstResponse,
    double? FirstResponseWithinTarget,
    TimeSpan? MedianResolution,
    double? ResolutionWithinTarget,
    int PollsAsked,
    int PollsAnswered,
    double? ResponseRate,
    double? Satisfaction,
    int FirstTimeFixAnswers,
    double? FirstTimeFixRate,
    int Reopened,
    double? ReopenRate,
    int? Deflections,
    double? DeflectionRate);

public sealed record OutcomeGroup(string Name, OutcomeFigures Figures);

public sealed record CategoryCount(string Category, int Tickets);

public sealed record FrequentRequester(string Id, string Name, int Tickets, IReadOnlyList<CategoryCount> Categories);

public sealed record OutcomeReport(
    OutcomeWindow Window,
    OutcomeFigures Overall,
    IReadOnlyList<OutcomeGroup> ByCategory,
    IReadOnlyList<OutcomeGroup> ByTechnician,
    IReadOnlyList<FrequentRequester> FrequentRequesters)
{
    public IReadOnlyList<KnowledgeGap> KnowledgeGaps { get; init; } = [];
    public IReadOnlyList<WeakArticle> WeakArticles { get; init; } = [];
    // The window cut into 24-hour slices ending at Window.To, oldest first, each with the same figures as Overall.
    public IReadOnlyList<OutcomeDay> Daily { get; init; } = [];
}

// One slice of the window [From, To), named by the date it ends on (UTC).
public sealed record OutcomeDay(DateTimeOffset From, DateTimeOffset To, OutcomeFigures Figures)
{
    public DateOnly Date => DateOnly.FromDateTime((To - TimeSpan.FromTicks(1)).UtcDateTime);
}

// What the help desk achieved in a window, from the tickets, the poll answers and the deflections. Pure, so the stats card,
// the command line and a later dashboard show the same figures. Definitions (docs/architecture.md, "Outcomes"):
//   opened / emergencies: filed in the window. resolved: a resolution in the window (the last one counts for its time).
//   first response: of tickets filed in the window, median filed -> first reply (wall clock), and the share of those whose
//     target is decided (replied, or overdue without a reply) that met it.
//   resolution: of resolved tickets, median filed -> resolution, and the share resolved by their resolution due time.
//   polls: asked in the window; response rate: answered (a rating or "not fixed") / asked; satisfaction: ratings 4-5 / ratings.
//   first-time fix: "Yes" / (answers to that question + "not fixed"). reopen rate: resolved tickets reopened after their
//     first resolution / resolved. deflection rate: deflections / (deflections + opened).
public static class OutcomeReports
{
    public const string Unassigned = "Unassigned";
    public const int FrequentRequesterMinimum = 3;
    public const int FrequentRequestersShown = 5;

    public static OutcomeReport Compute(OutcomeWindow window, IReadOnlyCollection<Ticket> tickets, IReadOnlyCollection<PollRecord> polls,
        IReadOnlyCollection<Deflection> deflections, Sla sla, IReadOnlyCollection<Knowledge.ArticleStats>? articles = null)
    {
        var relevant = tickets.Where(t => window.Contains(t.CreatedAt) || LastResolutionIn(t, window) is not null).ToList();
        var asked = polls.Where(p => window.Contains(p.AskedAt)).ToList();
        var deflected = deflections.Where(d => window.Contains(d.At)).ToList();

        var categories = relevant.Select(t => t.Category).Concat(asked.Select(p => p.Category)).Concat(deflected.Select(d => d.Category ?? "other"))
            .Distinct(StringComparer.Ordinal);
        var byCategory = categories
            .Select(c => new OutcomeGroup(c, Figures(window, [.. relevant.Where(t => t.Category == c)], [.. asked.Where(p => p.Category == c)],
                [.. deflected.Where(d => (d.Category ?? "other") == c)], sla)))
            .OrderByDescending(g => g.Figures.Opened + (g.Figures.Deflections ?? 0)).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();

        // A technician's tickets are those assigned to them now; their polls, those of the tickets they resolved.
        var technicians = relevant.Select(t => (Id: t.Assignee?.TeamsId, Name: t.Assignee?.Name))
            .Concat(asked.Select(p => (Id: p.TechnicianId, Name: p.TechnicianName)))
            .GroupBy(x => x.Id ?? "").Select(g => (Id: g.Key, Name: g.Key == "" ? Unassigned : g.Select(x => x.Name).FirstOrDefault(n => n is not null) ?? g.Key));
        var byTechnician = technicians
            .Select(tech => new OutcomeGroup(tech.Name, Figures(window, [.. relevant.Where(t => (t.Assignee?.TeamsId ?? "") == tech.Id)],
                [.. asked.Where(p => (p.TechnicianId ?? "") == tech.Id)], null, sla)))
            .OrderByDescending(g => g.Figures.Resolved).ThenByDescending(g => g.Figures.Opened).ThenBy(g => g.Name, StringComparer.Ordinal).ToList();

        var frequent = relevant.Where(t => window.Contains(t.CreatedAt)).GroupBy(t => t.Requester.TeamsId)
            .Where(g => g.Count() >= FrequentRequesterMinimum)
            .Select(g => new FrequentRequester(g.Key, g.Select(t => t.Requester.Name).FirstOrDefault(n => n is not null) ?? g.Key, g.Count(),
                [.. g.GroupBy(t => t.Category).Select(c => new CategoryCount(c.Key, c.Count())).OrderByDescending(c => c.Tickets).ThenBy(c => c.Category, StringComparer.Ordinal)]))
            .OrderByDescending(r => r.Tickets).ThenBy(r => r.Name, StringComparer.Ordinal).Take(FrequentRequestersShown).ToList();

        return new OutcomeReport(window, Figures(window, relevant, asked, deflected, sla), byCategory, byTechnician, frequent)
        {
            KnowledgeGaps = Outcomes.KnowledgeGaps.Find(window, relevant),
            WeakArticles = Outcomes.KnowledgeGaps.Weak(articles ?? []),
            Daily = Daily(window, relevant, asked, deflected, sla),
        };
    }

    // Each slice gets Figures over what touched it (filed or resolved in it, polls asked and deflections counted in it),
    // so a day means exactly what the whole window means.
    static IReadOnlyList<OutcomeDay> Daily(OutcomeWindow window, IReadOnlyList<Ticket> tickets, IReadOnlyList<PollRecord> polls, IReadOnlyList<Deflection> deflections, Sla sla)
    {
        var count = Math.Max(1, window.Days);
        var length = (window.To - window.From) / count;
        var slices = Enumerable.Range(0, count).Select(i => new OutcomeWindow(window.From + length * i, i == count - 1 ? window.To : window.From + length * (i + 1))).ToArray();
        int Slice(DateTimeOffset at) => Math.Clamp((int)((at - window.From) / length), 0, count - 1);

        var ticketsIn = slices.Select(_ => new HashSet<Ticket>(ReferenceEqualityComparer.Instance)).ToArray();
        foreach (var t in tickets)
        {
            if (window.Contains(t.CreatedAt)) ticketsIn[Slice(t.CreatedAt)].Add(t);
            foreach (var e in t.History)
                if (e.Kind == TicketEventKind.Resolved && window.Contains(e.At)) ticketsIn[Slice(e.At)].Add(t);
        }
        var pollsIn = polls.ToLookup(p => Slice(p.AskedAt));
        var deflectionsIn = deflections.ToLookup(d => Slice(d.At));
        return [.. slices.Select((slice, i) => new OutcomeDay(slice.From, slice.To,
            Figures(slice, [.. ticketsIn[i]], [.. pollsIn[i]], [.. deflectionsIn[i]], sla)))];
    }

    // deflections null: not known for this group (a technician), so neither a count nor a rate.
    static OutcomeFigures Figures(OutcomeWindow window, IReadOnlyList<Ticket> tickets, IReadOnlyList<PollRecord> polls, IReadOnlyList<Deflection>? deflections, Sla sla)
    {
        var opened = tickets.Where(t => window.Contains(t.CreatedAt)).ToList();
        var resolved = tickets.Select(t => (Ticket: t, At: LastResolutionIn(t, window))).Where(x => x.At is not null).Select(x => (x.Ticket, At: x.At!.Value)).ToList();

        var firstReplies = opened.Where(t => t.FirstResponseAt is not null).Select(t => t.FirstResponseAt!.Value - t.CreatedAt).ToList();
        var firstDecided = opened.Where(t => t.FirstResponseAt is not null || t.FirstResponseDueAt < window.To).ToList();
        var firstMet = firstDecided.Count(t => t.FirstResponseAt is { } at && at <= t.FirstResponseDueAt);

        var resolutionMet = resolved.Count(r => r.At <= sla.ResolutionDueAt(r.Ticket));
        var reopened = resolved.Count(r => WasReopened(r.Ticket));

        var answered = polls.Count(p => p.Answered);
        var ratings = polls.Where(p => p.Rating is not null).ToList();
        var firstTimeAnswers = polls.Where(p => p.FirstTimeFix is not null || p.NotFixedAt is not null).ToList();

        return new OutcomeFigures(
            Opened: opened.Count,
            Resolved: resolved.Count,
            Emergencies: opened.Count(t => t.Urgency == Urgency.Emergency),
            MedianFirstResponse: Median(firstReplies),
            FirstResponseWithinTarget: Share(firstMet, firstDecided.Count),
            MedianResolution: Median([.. resolved.Select(r => r.At - r.Ticket.CreatedAt)]),
            ResolutionWithinTarget: Share(resolutionMet, resolved.Count),
            PollsAsked: polls.Count,
            PollsAnswered: answered,
            ResponseRate: Share(answered, polls.Count),
            Satisfaction: Share(ratings.Count(p => p.Rating >= 4), ratings.Count),
            FirstTimeFixAnswers: firstTimeAnswers.Count,
            FirstTimeFixRate: Share(firstTimeAnswers.Count(p => p.FirstTimeFix == true && p.NotFixedAt is null), firstTimeAnswers.Count),
            Reopened: reopened,
            ReopenRate: Share(reopened, resolved.Count),
            Deflections: deflections?.Count,
            DeflectionRate: deflections is null ? null : Share(deflections.Count, deflections.Count + opened.Count));
    }

    static DateTimeOffset? LastResolutionIn(Ticket t, OutcomeWindow window) =>
        t.History.Where(e => e.Kind == TicketEventKind.Resolved && window.Contains(e.At)).Select(e => (DateTimeOffset?)e.At).LastOrDefault();

    static bool WasReopened(Ticket t)
    {
        var firstResolved = t.History.FirstOrDefault(e => e.Kind == TicketEventKind.Resolved)?.Seq;
        return firstResolved is { } seq && t.History.Any(e => e.Kind == TicketEventKind.Reopened && e.Seq > seq);
    }

    static double? Share(int part, int whole) => whole == 0 ? null : (double)part / whole;

    static TimeSpan? Median(IReadOnlyList<TimeSpan> spans)
    {
        if (spans.Count == 0) return null;
        var sorted = spans.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : TimeSpan.FromTicks((sorted[mid - 1].Ticks + sorted[mid].Ticks) / 2);
    }
}
