using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Tickets;

// Response targets: emergencies in wall-clock time, normal tickets in support hours (default Mon-Fri 08:00-17:00, so
// 1 business day = 9 h and 5 business days = 45 h), with holidays, time zones and DST.
public sealed class SlaTests
{
    // Monday 23 November 2026, 10:00 UTC.
    static readonly DateTimeOffset Monday10 = Utc(11, 23, 10);

    static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);
    static DateTimeOffset Local(int month, int day, int hour, int offsetHours, int minute = 0) =>
        new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(offsetHours));

    static Sla SlaFor(SupportOptions? options = null) => new(new SupportHours(options ?? new SupportOptions()));

    static Ticket Filed(Sla sla, Urgency urgency, DateTimeOffset at) => new()
    {
        Number = 1042,
        Title = "Printer jammed",
        Problem = "printer jammed",
        Requester = new Person("user-1"),
        Urgency = urgency,
        UrgencyReason = "test",
        Category = "printing",
        CreatedAt = at,
        FirstResponseDueAt = sla.FirstResponseDueAt(urgency, at),
        UpdatedAt = at,
    };

    static TicketEvent Event(int seq, DateTimeOffset at, TicketEventKind kind) => new(seq, at, "tech-1", "Sam", kind, kind.ToString());

    // --- Due times ---

    [Fact]
    public void A_normal_ticket_at_16_50_with_one_business_day_is_due_at_16_50_the_next_working_day()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Normal, Utc(11, 23, 16, 50)); // Monday

        Assert.Equal(Utc(11, 24, 16, 50), t.FirstResponseDueAt);
        Assert.Equal(Utc(11, 30, 16, 50), sla.ResolutionDueAt(t)); // 5 business days: the next Monday
    }

    [Fact]
    public void Normal_targets_skip_the_weekend()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Normal, Utc(11, 27, 16)); // Friday: 1 h Friday, 8 h Monday

        Assert.Equal(Utc(11, 30, 16), t.FirstResponseDueAt);
    }

    [Fact]
    public void A_normal_ticket_filed_on_saturday_counts_from_monday_opening()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Normal, Utc(11, 28, 11));

        Assert.Equal(Utc(11, 30, 17), t.FirstResponseDueAt);
        Assert.Equal(Utc(12, 4, 17), sla.ResolutionDueAt(t));
    }

    [Fact]
    public void A_holiday_counts_as_a_closed_day()
    {
        var options = new SupportOptions { Holidays = [new(2026, 12, 25)] }; // Christmas, a Friday
        var sla = SlaFor(options);
        var t = Filed(sla, Urgency.Normal, Utc(12, 24, 12)); // Thursday: 5 h Thursday, 4 h Monday 28th

        Assert.Equal(Utc(12, 28, 12), t.FirstResponseDueAt);
        // 5 business days: Thursday 31 December without the holiday, Friday 1 January 2027 with it.
        Assert.Equal(Utc(12, 31, 12), SlaFor().ResolutionDueAt(t));
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 12, 0, 0, TimeSpan.Zero), sla.ResolutionDueAt(t));
    }

    [Fact]
    public void Holidays_and_targets_bind_from_configuration()
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Support:OpensAt"] = "09:00",
            ["Support:Holidays:0"] = "2026-12-25",
            ["Support:Holidays:1"] = "2027-01-01",
            ["Support:EmergencyResolution"] = "02:00:00",
            ["Support:DueSoonFraction"] = "0.5",
        }).Build().GetSection("Support").Get<SupportOptions>()!;
        var hours = new SupportHours(options);

        Assert.Equal([new DateOnly(2026, 12, 25), new DateOnly(2027, 1, 1)], options.Holidays!);
        Assert.False(hours.IsOpen(Utc(12, 25, 10)));
        Assert.True(hours.IsHoliday(Utc(12, 25, 10)));
        Assert.True(hours.IsOpen(Utc(12, 24, 10)));
        Assert.Equal(TimeSpan.FromHours(8), options.NormalFirstResponse);  // 1 business day follows the support day
        Assert.Equal(TimeSpan.FromHours(40), options.NormalResolution);    // 5 business days
        Assert.Equal(TimeSpan.FromHours(2), options.EmergencyResolution);
        Assert.Equal(0.5, options.DueSoonFraction);
        Assert.Empty(options.Problems());
    }

    [Fact]
    public void A_configured_normal_target_replaces_the_support_day_default()
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Support:NormalFirstResponse"] = "04:00:00",
            ["Support:NormalResolution"] = "2.00:00:00",
        }).Build().GetSection("Support").Get<SupportOptions>()!;

        Assert.Equal(TimeSpan.FromHours(4), options.NormalFirstResponse);
        Assert.Equal(TimeSpan.FromDays(2), options.NormalResolution);
    }

    [Fact]
    public void Impossible_targets_are_named_as_problems()
    {
        Assert.NotEmpty(new SupportOptions { DueSoonFraction = 1.5 }.Problems());
        Assert.NotEmpty(new SupportOptions { EmergencyResolution = TimeSpan.Zero }.Problems());
        Assert.NotEmpty(new SupportOptions { DueSoonWindow = TimeSpan.FromMinutes(-1) }.Problems());
    }

    [Fact]
    public void An_emergency_counts_wall_clock_time_overnight()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Emergency, Utc(11, 24, 23, 50)); // Tuesday night, desk closed

        Assert.Equal(Utc(11, 25, 0, 5), t.FirstResponseDueAt);
        Assert.Equal(Utc(11, 25, 3, 50), sla.ResolutionDueAt(t));
    }

    [Fact]
    public void An_emergency_on_a_weekend_holiday_is_still_wall_clock()
    {
        var options = new SupportOptions { Holidays = [new(2026, 12, 25)] };
        var sla = SlaFor(options);
        var t = Filed(sla, Urgency.Emergency, Utc(12, 25, 20));

        Assert.Equal(Utc(12, 25, 20, 15), t.FirstResponseDueAt);
        Assert.Equal(Utc(12, 26, 0), sla.ResolutionDueAt(t));
    }

    [Theory]
    // London: summer time starts Sunday 29 March, ends Sunday 25 October 2026.
    [InlineData("Europe/London", 3, 27, 0, 3, 30, 1)]   // Friday 16:00 GMT -> Monday 16:00 BST
    [InlineData("Europe/London", 10, 23, 1, 10, 26, 0)] // Friday 16:00 BST -> Monday 16:00 GMT
    // New York: daylight time starts Sunday 8 March, ends Sunday 1 November 2026.
    [InlineData("America/New_York", 3, 6, -5, 3, 9, -4)]   // Friday 16:00 EST -> Monday 16:00 EDT
    [InlineData("America/New_York", 10, 30, -4, 11, 2, -5)] // Friday 16:00 EDT -> Monday 16:00 EST
    public void Business_time_follows_local_hours_across_a_DST_change(string zone, int month, int day, int offset, int dueMonth, int dueDay, int dueOffset)
    {
        var options = new SupportOptions { TimeZone = zone };
        var sla = SlaFor(options);
        var filed = Local(month, day, 16, offset);
        var t = Filed(sla, Urgency.Normal, filed); // 1 h on Friday, 8 h on Monday (local 08:00-17:00)

        var due = Local(dueMonth, dueDay, 16, dueOffset);
        Assert.Equal(due, t.FirstResponseDueAt);
        Assert.Equal(TimeSpan.FromHours(9), new SupportHours(options).BusinessTimeBetween(filed, due));
        // The weekend had 71 or 73 wall-clock hours, not 72.
        Assert.Equal(TimeSpan.FromHours(72 - (dueOffset - offset)), due - filed);
    }

    [Theory]
    [InlineData("Europe/London", 3, 28, 23, 0)]    // Saturday 23:00 GMT; 01:00 becomes 02:00 overnight
    [InlineData("Europe/London", 10, 24, 23, 1)]   // Saturday 23:00 BST; 02:00 becomes 01:00
    [InlineData("America/New_York", 3, 7, 23, -5)] // Saturday 23:00 EST
    [InlineData("America/New_York", 10, 31, 23, -4)]
    public void An_emergency_over_a_DST_night_gets_exactly_its_hours(string zone, int month, int day, int hour, int offset)
    {
        var sla = SlaFor(new SupportOptions { TimeZone = zone });
        var filed = Local(month, day, hour, offset);
        var t = Filed(sla, Urgency.Emergency, filed);

        Assert.Equal(TimeSpan.FromMinutes(15), t.FirstResponseDueAt - filed);
        Assert.Equal(TimeSpan.FromHours(4), sla.ResolutionDueAt(t) - filed);
    }

    [Fact]
    public void Due_texts_are_in_the_desks_local_time()
    {
        var sla = SlaFor(new SupportOptions { TimeZone = "America/New_York" });
        var filed = Local(7, 6, 10, -4); // Monday 10:00 EDT
        var t = Filed(sla, Urgency.Emergency, filed);

        Assert.Equal("On track: first reply due by 10:15 today", sla.For(t, filed).Text);
    }

    // --- States over time ---

    [Fact]
    public void An_emergency_goes_from_on_track_to_due_soon_to_breached()
    {
        var clock = new FakeTimeProvider(Monday10);
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Emergency, clock.GetUtcNow());

        var s = sla.For(t, clock.GetUtcNow());
        Assert.Equal(SlaState.OnTrack, s.FirstResponse.State);
        Assert.Equal(SlaState.OnTrack, s.Resolution.State);
        Assert.Equal(Utc(11, 23, 10, 15), s.FirstResponse.DueAt);
        Assert.Equal(Utc(11, 23, 14), s.Resolution.DueAt);
        Assert.Equal("On track: first reply due by 10:15 today", s.Text);

        clock.Advance(TimeSpan.FromMinutes(11)); // 4 min left of 15: more than 25%
        Assert.Equal(SlaState.OnTrack, sla.For(t, clock.GetUtcNow()).FirstResponse.State);

        clock.Advance(TimeSpan.FromMinutes(1)); // 3 min left
        s = sla.For(t, clock.GetUtcNow());
        Assert.Equal(SlaState.DueSoon, s.FirstResponse.State);
        Assert.Equal("Due soon: 3 min left for the first reply", s.Text);

        clock.Advance(TimeSpan.FromMinutes(3)); // exactly due: not yet late
        Assert.Equal(SlaState.DueSoon, sla.For(t, clock.GetUtcNow()).FirstResponse.State);

        clock.Advance(TimeSpan.FromMinutes(40));
        s = sla.For(t, clock.GetUtcNow());
        Assert.Equal(SlaState.Breached, s.FirstResponse.State);
        Assert.Equal(SlaState.OnTrack, s.Resolution.State);
        Assert.Equal("Breached 40 min ago: no first reply yet", s.Text);
        Assert.Same(s.FirstResponse, s.Current);
    }

    [Fact]
    public void A_fixed_window_makes_a_ticket_due_soon_earlier_than_the_fraction()
    {
        var sla = SlaFor(new SupportOptions { DueSoonWindow = TimeSpan.FromMinutes(12) });
        var t = Filed(sla, Urgency.Emergency, Monday10);

        Assert.Equal(SlaState.OnTrack, sla.For(t, Monday10.AddMinutes(2)).FirstResponse.State);
        var s = sla.For(t, Monday10.AddMinutes(3));
        Assert.Equal(SlaState.DueSoon, s.FirstResponse.State);
        Assert.Equal("Due soon: 12 min left for the first reply", s.Text);
    }

    [Fact]
    public void A_normal_ticket_is_due_soon_in_business_time_and_says_when_across_the_night()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Normal, Monday10); // first reply due Tuesday 10:00

        Assert.Equal(SlaState.OnTrack, sla.For(t, Utc(11, 23, 15)).FirstResponse.State);  // 4 business hours left
        var evening = sla.For(t, Utc(11, 23, 17, 30));                                    // 2 business hours left of 9
        Assert.Equal(SlaState.DueSoon, evening.FirstResponse.State);
        Assert.Equal("Due soon: first reply due by 10:00 tomorrow", evening.Text);
        var morning = sla.For(t, Utc(11, 24, 9, 15));
        Assert.Equal("Due soon: 45 min left for the first reply", morning.Text);
        Assert.Equal(SlaState.Breached, sla.For(t, Utc(11, 24, 10, 1)).FirstResponse.State);
    }

    [Fact]
    public void A_first_reply_in_time_is_met_and_the_text_moves_on_to_the_resolution()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Emergency, Monday10) with { FirstResponseAt = Monday10.AddMinutes(10), Status = TicketStatus.InProgress };

        var s = sla.For(t, Monday10.AddHours(1));
        Assert.Equal(SlaState.Met, s.FirstResponse.State);
        Assert.Equal(Monday10.AddMinutes(10), s.FirstResponse.StoppedAt);
        Assert.Equal("On track: resolution due by 14:00 today", s.Text);
        Assert.Same(s.Resolution, s.Current);

        s = sla.For(t, Utc(11, 23, 13, 30));
        Assert.Equal("Due soon: 30 min left to resolve", s.Text);
        s = sla.For(t, Utc(11, 23, 16));
        Assert.Equal(SlaState.Met, s.FirstResponse.State); // stays met while the resolution is late
        Assert.Equal("Breached 2 h ago: not resolved yet", s.Text);
    }

    [Fact]
    public void A_late_first_reply_stays_breached()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Emergency, Monday10) with { FirstResponseAt = Monday10.AddMinutes(20), Status = TicketStatus.InProgress };

        Assert.Equal(SlaState.Breached, sla.For(t, Monday10.AddMinutes(30)).FirstResponse.State);
    }

    [Fact]
    public void Resolved_in_time_is_met_and_resolved_late_says_how_late()
    {
        var sla = SlaFor();
        var filed = Filed(sla, Urgency.Emergency, Monday10);
        var inTime = filed with { Status = TicketStatus.Resolved, FirstResponseAt = Monday10.AddMinutes(5), ResolvedAt = Monday10.AddHours(3) };
        var late = filed with { Status = TicketStatus.Resolved, FirstResponseAt = Monday10.AddMinutes(5), ResolvedAt = Monday10.AddHours(4).AddMinutes(40) };

        var s = sla.For(inTime, Monday10.AddDays(2));
        Assert.Equal(SlaState.Met, s.Resolution.State);
        Assert.Equal("Met: resolved in time", s.Text);
        s = sla.For(late, Monday10.AddDays(2));
        Assert.Equal(SlaState.Breached, s.Resolution.State);
        Assert.Equal("Breached: resolved 40 min late", s.Text);
    }

    [Fact]
    public void A_closed_ticket_keeps_the_verdict_of_its_resolution()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Normal, Monday10) with
        {
            Status = TicketStatus.Closed, FirstResponseAt = Monday10.AddHours(1), ResolvedAt = Monday10.AddHours(2), ClosedAt = Monday10.AddDays(30),
        };

        var s = sla.For(t, Monday10.AddDays(40));
        Assert.Equal(SlaState.Met, s.FirstResponse.State);
        Assert.Equal(SlaState.Met, s.Resolution.State);
    }

    [Fact]
    public void A_cancelled_ticket_stops_both_clocks()
    {
        var sla = SlaFor();
        var t = Filed(sla, Urgency.Emergency, Monday10) with { Status = TicketStatus.Cancelled, ClosedAt = Monday10.AddMinutes(5) };

        var s = sla.For(t, Monday10.AddDays(1));
        Assert.Equal(SlaState.Met, s.FirstResponse.State);
        Assert.Equal(SlaState.Met, s.Resolution.State);
        Assert.Equal("Cancelled: no target applies", s.Text);
    }

    [Fact]
    public void A_reopened_emergency_does_not_count_the_time_it_sat_resolved()
    {
        var sla = SlaFor();
        // Filed 10:00, resolved 11:00 (1 h used), reopened 13:00: 3 h left, due 16:00.
        var t = Filed(sla, Urgency.Emergency, Monday10) with
        {
            Status = TicketStatus.InProgress,
            FirstResponseAt = Utc(11, 23, 11),
            History =
            [
                Event(1, Monday10, TicketEventKind.Filed),
                Event(2, Utc(11, 23, 11), TicketEventKind.Resolved),
                Event(3, Utc(11, 23, 13), TicketEventKind.Reopened),
            ],
        };

        Assert.Equal(Utc(11, 23, 16), sla.ResolutionDueAt(t));
        var s = sla.For(t, Utc(11, 23, 15, 30));
        Assert.Equal(SlaState.Breached, s.FirstResponse.State); // the first reply came at 11:00, 45 min late
        Assert.Equal(SlaState.DueSoon, s.Resolution.State);
        Assert.Equal("Due soon: 30 min left to resolve", s.Text);

        // Resolved again at 15:45: in time.
        var resolved = t with
        {
            Status = TicketStatus.Resolved, ResolvedAt = Utc(11, 23, 15, 45),
            History = [.. t.History, Event(4, Utc(11, 23, 15, 45), TicketEventKind.Resolved)],
        };
        Assert.Equal(SlaState.Met, sla.For(resolved, Utc(11, 24, 9)).Resolution.State);
    }

    [Fact]
    public void A_reopened_normal_ticket_resumes_in_business_time()
    {
        var sla = SlaFor();
        // Filed Monday 10:00, resolved 12:00 (2 of 45 business hours), reopened Wednesday 10:00: 43 h left.
        // Wed 7 h, Thu 9, Fri 9, Mon 9, Tue 9 -> Tuesday 1 December 17:00.
        var t = Filed(sla, Urgency.Normal, Monday10) with
        {
            Status = TicketStatus.InProgress,
            FirstResponseAt = Utc(11, 23, 12),
            History = [Event(1, Utc(11, 23, 12), TicketEventKind.Resolved), Event(2, Utc(11, 25, 10), TicketEventKind.Reopened)],
        };

        Assert.Equal(Utc(12, 1, 17), sla.ResolutionDueAt(t));
        Assert.Equal(Utc(11, 30, 10), SlaFor().ResolutionDueAt(t with { History = [] })); // never resolved: 5 business days
    }

    [Fact]
    public void A_ticket_reopened_after_its_target_had_passed_is_breached()
    {
        var sla = SlaFor();
        // Resolved at 15:00, 1 h after the 4-hour target; reopened the next day.
        var t = Filed(sla, Urgency.Emergency, Monday10) with
        {
            Status = TicketStatus.InProgress,
            FirstResponseAt = Monday10.AddMinutes(5),
            History = [Event(1, Utc(11, 23, 15), TicketEventKind.Resolved), Event(2, Utc(11, 24, 9), TicketEventKind.Reopened)],
        };

        Assert.Equal(Utc(11, 23, 14), sla.ResolutionDueAt(t));
        Assert.Equal(SlaState.Breached, sla.For(t, Utc(11, 24, 9, 5)).Resolution.State);
    }

    [Fact]
    public void A_holiday_is_a_date_in_the_desks_time_zone()
    {
        var options = new SupportOptions { TimeZone = "America/New_York", Holidays = [new(2026, 12, 25)] };
        var hours = new SupportHours(options);

        Assert.False(hours.IsHoliday(Utc(12, 25, 2)));  // 21:00 on the 24th in New York
        Assert.True(hours.IsHoliday(Utc(12, 25, 12)));
        Assert.True(hours.IsHoliday(Utc(12, 26, 4)));   // 23:00 on the 25th in New York
        // Thursday 24th 16:00 EST: 1 h, then the holiday, then 8 h on Monday 28th.
        Assert.Equal(Local(12, 28, 16, -5), SlaFor(options).FirstResponseDueAt(Urgency.Normal, Local(12, 24, 16, -5)));
    }

    [Fact]
    public void The_bot_can_resolve_the_sla_from_its_services()
    {
        var services = new ServiceCollection().AddTickets(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Support:Holidays:0"] = "2026-11-23",
        }).Build());
        using var provider = services.BuildServiceProvider();
        var sla = provider.GetRequiredService<Sla>();

        Assert.Equal(Utc(11, 24, 17), sla.FirstResponseDueAt(Urgency.Normal, Monday10)); // Monday is a holiday here
    }

    [Fact]
    public void Business_time_between_skips_nights_weekends_and_holidays()
    {
        var hours = new SupportHours(new SupportOptions { Holidays = [new(2026, 11, 26)] }); // a Thursday
        Assert.Equal(TimeSpan.FromHours(2), hours.BusinessTimeBetween(Utc(11, 23, 16), Utc(11, 24, 9)));
        Assert.Equal(TimeSpan.FromHours(1), hours.BusinessTimeBetween(Utc(11, 27, 16), Utc(11, 30, 8)));   // Friday to Monday
        Assert.Equal(TimeSpan.FromHours(9), hours.BusinessTimeBetween(Utc(11, 25, 17), Utc(11, 27, 17)));  // Thursday off
        Assert.Equal(TimeSpan.FromHours(-2), hours.BusinessTimeBetween(Utc(11, 24, 9), Utc(11, 23, 16)));
    }
}
