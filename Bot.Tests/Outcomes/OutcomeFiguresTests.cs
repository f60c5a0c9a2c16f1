using SupportBot.Outcomes;
using SupportBot.Surveys;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Outcomes;

// The figures on a seeded month whose every expected value is worked out by hand in the comments (support hours are the
// defaults: Monday to Friday 08:00-17:00 UTC; normal targets 9 h and 45 h of support time, emergencies 15 min and 4 h).
public sealed class OutcomeFiguresTests
{
    static readonly Sla Sla = new(new SupportHours(new SupportOptions()));
    // Monday 2 November to Monday 30 November 2026.
    static readonly OutcomeWindow November = new(At(11, 2, 0, 0), At(11, 30, 0, 0));

    static DateTimeOffset At(int month, int day, int hour, int minute) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    static readonly Person Megan = new("29:megan", "Megan Bowen");
    static readonly Person Omar = new("29:omar", "Omar Khan");

    static Ticket T(int number, string category, Urgency urgency, string requester, Person? assignee, DateTimeOffset filed, DateTimeOffset firstDue,
        DateTimeOffset? firstReply, params (TicketEventKind Kind, DateTimeOffset At)[] events)
    {
        var history = new List<TicketEvent> { new(1, filed, "29:" + requester, requester, TicketEventKind.Filed, "Filed") };
        history.AddRange(events.Select((e, i) => new TicketEvent(i + 2, e.At, assignee?.TeamsId ?? "x", assignee?.Name, e.Kind, e.Kind.ToString())));
        var status = events.LastOrDefault().Kind switch
        {
            TicketEventKind.Resolved => TicketStatus.Resolved,
            TicketEventKind.Cancelled => TicketStatus.Cancelled,
            _ => assignee is null ? TicketStatus.New : TicketStatus.InProgress,
        };
        return new Ticket
        {
            Number = number, Title = $"Ticket {number}", Problem = "p", Requester = new Person("29:" + requester, requester), Urgency = urgency,
            UrgencyReason = "", Category = category, Assignee = assignee, Status = status, CreatedAt = filed, FirstResponseDueAt = firstDue,
            FirstResponseAt = firstReply, ResolvedAt = status == TicketStatus.Resolved ? events[^1].At : null, History = history,
        };
    }

    static readonly Ticket[] Tickets =
    [
        // #1 first reply 30 min (due Tue 09:00: met); resolved after 2 h (met).
        T(1, "printing", Urgency.Normal, "Alex", Megan, At(11, 2, 9, 0), At(11, 3, 9, 0), At(11, 2, 9, 30), (TicketEventKind.Resolved, At(11, 2, 11, 0))),
        // #2 first reply after 25 h (due Wed 09:00: breached); resolved, reopened, resolved again Thu 10:00: 49 h, met; reopened.
        T(2, "printing", Urgency.Normal, "Alex", Megan, At(11, 3, 9, 0), At(11, 4, 9, 0), At(11, 4, 10, 0),
            (TicketEventKind.Resolved, At(11, 4, 12, 0)), (TicketEventKind.Reopened, At(11, 5, 9, 0)), (TicketEventKind.Resolved, At(11, 5, 10, 0))),
        // #3 emergency: first reply 10 min (met), resolved after 3 h (met).
        T(3, "wifi", Urgency.Emergency, "Bea", Megan, At(11, 4, 10, 0), At(11, 4, 10, 15), At(11, 4, 10, 10), (TicketEventKind.Resolved, At(11, 4, 13, 0))),
        // #4 emergency: first reply 30 min (breached), resolved after 6 h (due 14:00: breached).
        T(4, "wifi", Urgency.Emergency, "Bea", Omar, At(11, 5, 10, 0), At(11, 5, 10, 15), At(11, 5, 10, 30), (TicketEventKind.Resolved, At(11, 5, 16, 0))),
        // #5 no reply, due Tue 10 Nov 09:00, before the window ends: decided, breached.
        T(5, "printing", Urgency.Normal, "Alex", Omar, At(11, 9, 9, 0), At(11, 10, 9, 0), null),
        // #6 no reply, due Mon 30 Nov 16:00, after the window: not decided yet. Unassigned.
        T(6, "accounts", Urgency.Normal, "Alex", null, At(11, 27, 16, 0), At(11, 30, 16, 0), null),
        // #7 filed before the window (Mon 26 Oct 09:00), resolved in it (Tue 3 Nov 15:00): 198 h; 45 support hours end Mon 2 Nov 09:00: breached.
        T(7, "printing", Urgency.Normal, "Chris", Megan, At(10, 26, 9, 0), At(10, 27, 9, 0), At(10, 26, 10, 0), (TicketEventKind.Resolved, At(11, 3, 15, 0))),
        // #8 first reply 5 min (met), then cancelled: opened, never resolved.
        T(8, "accounts", Urgency.Normal, "Dana", Omar, At(11, 10, 9, 0), At(11, 11, 9, 0), At(11, 10, 9, 5), (TicketEventKind.Cancelled, At(11, 10, 10, 0))),
        // #9 filed after the window: left out.
        T(9, "printing", Urgency.Normal, "Alex", Megan, At(11, 30, 9, 0), At(12, 1, 9, 0), At(11, 30, 9, 10)),
    ];

    static PollRecord P(Ticket t, int resolution, DateTimeOffset asked, int? rating = null, bool? firstTime = null, bool notFixed = false) => new()
    {
        Ticket = t.Number, Resolution = resolution, TicketTitle = t.Title, RequesterId = t.Requester.TeamsId, TechnicianId = t.Assignee?.TeamsId,
        TechnicianName = t.Assignee?.Name, Category = t.Category, Urgency = t.Urgency, FiledAt = t.CreatedAt, ResolvedAt = asked, AskedAt = asked,
        Rating = rating, FirstTimeFix = firstTime, NotFixedAt = notFixed ? asked.AddHours(1) : null,
    };

    static readonly PollRecord[] Polls =
    [
        P(Tickets[0], 2, At(11, 2, 11, 0), rating: 5, firstTime: true),
        P(Tickets[1], 2, At(11, 4, 12, 0), notFixed: true),          // answered "it's not fixed", no rating
        P(Tickets[1], 4, At(11, 5, 10, 0), rating: 4),
        P(Tickets[2], 2, At(11, 4, 13, 0), rating: 4, firstTime: true),
        P(Tickets[3], 2, At(11, 5, 16, 0)),                          // unanswered
        P(Tickets[6], 2, At(11, 3, 15, 0), rating: 1, firstTime: false),
        P(Tickets[6], 1, At(10, 27, 9, 0), rating: 5),               // asked before the window: left out
    ];

    static readonly Deflection[] Deflections =
    [
        new("paper-jam", "printing", At(11, 6, 9, 0)),
        new("double-sided-printing", "printing", At(11, 12, 9, 0)),
        new("wifi-drops", "wifi", At(11, 13, 9, 0)),
        new("retired-article", null, At(11, 20, 9, 0)),
        new("paper-jam", "printing", At(10, 30, 9, 0)),            // before the window
    ];

    internal static OutcomeReport Report => OutcomeReports.Compute(November, Tickets, Polls, Deflections, Sla);

    [Fact]
    public void Overall_figures_match_the_hand_count()
    {
        var o = Report.Overall;

        Assert.Equal(7, o.Opened);                                    // #1 #2 #3 #4 #5 #6 #8
        Assert.Equal(5, o.Resolved);                                  // #1 #2 #3 #4 #7
        Assert.Equal(2, o.Emergencies);                               // #3 #4
        Assert.Equal(TimeSpan.FromMinutes(30), o.MedianFirstResponse); // 5 min, 10 min, 30 min, 30 min, 25 h
        Assert.Equal(3 / 6.0, o.FirstResponseWithinTarget);          // met #1 #3 #8; breached #2 #4 #5; #6 undecided
        Assert.Equal(TimeSpan.FromHours(6), o.MedianResolution);      // 2 h, 3 h, 6 h, 49 h, 198 h
        Assert.Equal(3 / 5.0, o.ResolutionWithinTarget);              // met #1 #2 #3; breached #4 #7
        Assert.Equal(6, o.PollsAsked);
        Assert.Equal(5, o.PollsAnswered);
        Assert.Equal(5 / 6.0, o.ResponseRate);
        Assert.Equal(3 / 4.0, o.Satisfaction);                        // ratings 5, 4, 4, 1
        Assert.Equal(4, o.FirstTimeFixAnswers);                       // yes, not fixed, yes, no
        Assert.Equal(2 / 4.0, o.FirstTimeFixRate);
        Assert.Equal(1, o.Reopened);                                  // #2
        Assert.Equal(1 / 5.0, o.ReopenRate);
        Assert.Equal(4, o.Deflections);
        Assert.Equal(4 / 11.0, o.DeflectionRate);                     // 4 / (4 deflected + 7 opened)
    }

    [Fact]
    public void By_category_each_group_counts_only_its_own_and_an_empty_denominator_is_no_figure()
    {
        var groups = Report.ByCategory;

        Assert.Equal(["printing", "wifi", "accounts", "other"], groups.Select(g => g.Name)); // by opened + deflected: 5, 3, 2, 1
        var printing = groups[0].Figures;
        Assert.Equal((3, 3), (printing.Opened, printing.Resolved));  // opened #1 #2 #5; resolved #1 #2 #7
        Assert.Equal(2 / 3.0, printing.Satisfaction);                 // 5, 4, 1
        Assert.Equal(1 / 3.0, printing.FirstTimeFixRate);             // yes, not fixed, no
        Assert.Equal(1 / 3.0, printing.ReopenRate);
        Assert.Equal(2 / 5.0, printing.DeflectionRate);               // 2 / (2 + 3)
        Assert.Equal(TimeSpan.FromHours(49), printing.MedianResolution); // 2 h, 49 h, 198 h

        var wifi = groups[1].Figures;
        Assert.Equal(1 / 2.0, wifi.ResponseRate);
        Assert.Equal(1.0, wifi.Satisfaction);
        Assert.Equal(0.0, wifi.ReopenRate);
        Assert.Equal(TimeSpan.FromMinutes(20), wifi.MedianFirstResponse); // 10 and 30 min

        var accounts = groups[2].Figures;
        Assert.Equal((2, 0), (accounts.Opened, accounts.Resolved));
        Assert.Null(accounts.Satisfaction);
        Assert.Null(accounts.ResponseRate);
        Assert.Null(accounts.ReopenRate);
        Assert.Null(accounts.MedianResolution);
        Assert.Equal(0.0, accounts.DeflectionRate);
        Assert.Equal(1.0, accounts.FirstResponseWithinTarget);        // #8 met; #6 not decided yet, so not counted

        var other = groups[3].Figures;
        Assert.Equal((0, 1), (other.Opened, other.Deflections));
        Assert.Equal(1.0, other.DeflectionRate);
    }

    [Fact]
    public void By_technician_polls_follow_who_resolved_and_deflections_are_not_theirs()
    {
        var groups = Report.ByTechnician;

        Assert.Equal(["Megan Bowen", "Omar Khan", OutcomeReports.Unassigned], groups.Select(g => g.Name)); // resolved 4, 1, 0
        var megan = groups[0].Figures;
        Assert.Equal((3, 4), (megan.Opened, megan.Resolved));        // opened #1 #2 #3; resolved #1 #2 #3 #7
        Assert.Equal(3 / 4.0, megan.Satisfaction);
        Assert.Equal(1 / 4.0, megan.ReopenRate);
        Assert.Null(megan.Deflections);
        Assert.Null(megan.DeflectionRate);
        var omar = groups[1].Figures;
        Assert.Equal((3, 1), (omar.Opened, omar.Resolved));           // #4 #5 #8; #4
        Assert.Equal(0 / 1.0, omar.ResponseRate);                     // #4's poll unanswered
        Assert.Null(omar.Satisfaction);
        Assert.Equal(0.0, omar.ResolutionWithinTarget);
    }

    [Fact]
    public void Frequent_requesters_are_those_with_three_or_more_tickets_with_what_they_are_about()
    {
        var alex = Assert.Single(Report.FrequentRequesters);          // Alex 4 (#1 #2 #5 #6); Bea 2; Chris's #7 was filed before
        Assert.Equal(("Alex", 4), (alex.Name, alex.Tickets));
        Assert.Equal([new CategoryCount("printing", 3), new CategoryCount("accounts", 1)], alex.Categories);
    }

    [Fact]
    public void An_empty_window_has_zero_counts_and_no_rates_rather_than_a_division_by_zero()
    {
        var report = OutcomeReports.Compute(new OutcomeWindow(At(1, 1, 0, 0), At(1, 8, 0, 0)), Tickets, Polls, Deflections, Sla);
        var o = report.Overall;

        Assert.Equal((0, 0, 0, 0, 0), (o.Opened, o.Resolved, o.Emergencies, o.PollsAsked, o.Deflections ?? -1));
        Assert.All(new[] { o.FirstResponseWithinTarget, o.ResolutionWithinTarget, o.ResponseRate, o.Satisfaction, o.FirstTimeFixRate, o.ReopenRate, o.DeflectionRate },
            Assert.Null);
        Assert.Null(o.MedianFirstResponse);
        Assert.Null(o.MedianResolution);
        Assert.Empty(report.ByCategory);
        Assert.Empty(report.ByTechnician);
        Assert.Empty(report.FrequentRequesters);
        Assert.Contains("no ratings yet", StatsCard.Create(report).ToJson());
    }
}
