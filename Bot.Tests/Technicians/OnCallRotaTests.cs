using Microsoft.Extensions.Options;
using SupportBot.Technicians;

namespace SupportBot.Tests.Technicians;

// Who is on call at a moment: Support:OnCall always, plus the weekly rota's shifts in the rota's own time zone.
// 2026: London springs forward on Sunday 29 March (01:00 -> 02:00) and falls back on Sunday 25 October;
// New York on Sunday 8 March (02:00 -> 03:00) and Sunday 1 November (02:00 -> 01:00).
public sealed class OnCallRotaTests
{
    static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    static OnCallShift Shift(string id, string from, string to, params string[] days) =>
        new() { Id = id, Name = id, From = TimeOnly.Parse(from), To = TimeOnly.Parse(to), Days = days.Length == 0 ? null : days };

    static OnCallRota Rota(string zone, OnCallShift[] shifts, params OnCallTechnician[] always) =>
        new(Options.Create(new TechnicianOptions { OnCall = always }), Options.Create(new OnCallRotaOptions { TimeZone = zone, Shifts = shifts }),
            Options.Create(new SupportBot.Tickets.SupportOptions()));

    static string[] Ids(IEnumerable<OnCallPerson> people) => [.. people.Select(p => p.Id)];

    [Fact]
    public void Weekday_and_weekend_shifts_cover_their_own_days_only()
    {
        var rota = Rota("Europe/London", [Shift("sam", "08:00", "17:00", "Mon-Fri"), Shift("pat", "09:00", "17:00", "Sat", "Sunday")]);

        Assert.Equal(["sam"], Ids(rota.At(Utc(11, 23, 10))));    // Monday
        Assert.Equal(["sam"], Ids(rota.At(Utc(11, 27, 16, 59)))); // Friday, a minute before the end
        Assert.Empty(rota.At(Utc(11, 27, 17)));                   // the end is not part of the shift
        Assert.Equal(["pat"], Ids(rota.At(Utc(11, 28, 10))));    // Saturday
        Assert.Empty(rota.At(Utc(11, 28, 8, 30)));                // Saturday before Pat starts
        Assert.Equal(["pat"], Ids(rota.At(Utc(11, 29, 16))));    // Sunday
    }

    [Fact]
    public void An_overnight_shift_runs_past_midnight_into_the_next_day()
    {
        var rota = Rota("Europe/London", [Shift("nia", "17:00", "08:00", "Mon", "Tue", "Wed", "Thu", "Fri")]);

        Assert.Equal(["nia"], Ids(rota.At(Utc(11, 27, 23))));      // Friday night
        Assert.Equal(["nia"], Ids(rota.At(Utc(11, 28, 7, 59))));   // Saturday morning, still Friday's shift
        Assert.Empty(rota.At(Utc(11, 28, 8)));
        Assert.Empty(rota.At(Utc(11, 23, 3)));                     // early Monday belongs to Sunday, which has no shift
        Assert.Equal(["nia"], Ids(rota.At(Utc(11, 24, 3))));       // early Tuesday: Monday's shift
    }

    [Fact]
    public void The_always_list_is_on_call_alongside_the_rota_and_nobody_appears_twice()
    {
        var rota = Rota("UTC", [Shift("sam", "08:00", "17:00", "Mon-Fri"), Shift("lead", "00:00", "00:00")],
            new OnCallTechnician { Id = "lead", Name = "Lead" });

        Assert.Equal(["lead", "sam"], Ids(rota.At(Utc(11, 23, 10))));
        Assert.Equal(["lead"], Ids(rota.At(Utc(11, 28, 10))));
    }

    [Fact]
    public void London_shifts_keep_their_wall_clock_times_across_both_DST_changes()
    {
        var rota = Rota("Europe/London", [Shift("day", "08:00", "17:00"), Shift("night", "22:00", "08:00")]);

        // Saturday 28 March is GMT: 08:00 local is 08:00 UTC. Sunday 29 March is BST: 08:00 local is 07:00 UTC.
        Assert.Equal(["night"], Ids(rota.At(Utc(3, 28, 7, 30))));
        Assert.Equal(["day"], Ids(rota.At(Utc(3, 29, 7, 30))));
        Assert.Equal(["night"], Ids(rota.At(Utc(3, 29, 6, 59))));  // the short night: 22:00 GMT to 08:00 BST is 9 hours
        Assert.Equal(["night"], Ids(rota.At(Utc(3, 28, 22))));
        // Sunday 25 October falls back: 08:00 local is 08:00 UTC again, after a 11-hour night.
        Assert.Equal(["night"], Ids(rota.At(Utc(10, 25, 7, 30))));
        Assert.Equal(["day"], Ids(rota.At(Utc(10, 25, 8))));
        Assert.Equal(["day"], Ids(rota.At(Utc(10, 24, 7, 30))));   // the Saturday before is BST
    }

    [Fact]
    public void A_handover_inside_the_hour_London_skips_happens_when_the_clocks_reach_it()
    {
        var rota = Rota("Europe/London", [Shift("early", "20:00", "01:30"), Shift("late", "01:30", "08:00")]);

        // 01:30 does not exist on 29 March: it counts as 02:30 BST, which is 01:30 UTC, and the handover is seamless.
        var changes = rota.ChangesBetween(Utc(3, 29, 0), Utc(3, 29, 3));
        var handover = Assert.Single(changes);
        Assert.Equal(Utc(3, 29, 1, 30), handover.At);
        Assert.Equal(["late"], Ids(handover.OnCall));
    }

    [Fact]
    public void New_York_shifts_move_with_its_own_DST_change_not_Londons()
    {
        var rota = Rota("America/New_York", [Shift("ana", "09:00", "17:00", "Mon-Fri")]);

        // Friday 6 March is EST (UTC-5): 09:00 is 14:00 UTC. Monday 9 March is EDT (UTC-4): 09:00 is 13:00 UTC.
        Assert.Empty(rota.At(Utc(3, 6, 13, 30)));
        Assert.Equal(["ana"], Ids(rota.At(Utc(3, 6, 14))));
        Assert.Equal(["ana"], Ids(rota.At(Utc(3, 9, 13, 30))));
        Assert.Empty(rota.At(Utc(3, 9, 21)));                      // 17:00 EDT
    }

    [Fact]
    public void A_handover_in_the_hour_New_York_repeats_happens_the_first_time_round()
    {
        var rota = Rota("America/New_York", [Shift("evening", "18:00", "01:30"), Shift("night", "01:30", "08:00")]);

        // 1 November: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST); the first counts.
        var handover = Assert.Single(rota.ChangesBetween(Utc(11, 1, 4), Utc(11, 1, 7)));
        Assert.Equal(Utc(11, 1, 5, 30), handover.At);
        Assert.Equal(["night"], Ids(rota.At(Utc(11, 1, 6))));
        Assert.Equal(["night"], Ids(rota.At(Utc(11, 1, 12, 59))));  // 08:00 EST is 13:00 UTC
        Assert.Empty(rota.At(Utc(11, 1, 13)));
    }

    [Fact]
    public void The_changes_of_the_coming_week_come_in_order_and_only_when_someone_changes()
    {
        var rota = Rota("Europe/London", [Shift("sam", "08:00", "17:00", "Mon-Fri"), Shift("nia", "17:00", "08:00", "Mon-Fri")]);

        var changes = rota.ChangesBetween(Utc(11, 23, 10), Utc(11, 30, 10)); // Monday 10:00 to the next Monday 10:00

        Assert.Equal(Utc(11, 23, 17), changes[0].At);
        Assert.Equal(["nia"], Ids(changes[0].OnCall));
        Assert.Equal(Utc(11, 24, 8), changes[1].At);
        Assert.Equal(["sam"], Ids(changes[1].OnCall));
        Assert.Equal(Utc(11, 28, 8), changes[^2].At);                 // Saturday 08:00: Friday's night ends, nobody
        Assert.Empty(changes[^2].OnCall);
        Assert.Equal(Utc(11, 30, 8), changes[^1].At);
        Assert.Equal(11, changes.Count);
        Assert.Equal(changes.OrderBy(c => c.At), changes);
    }

    [Fact]
    public void Without_its_own_zone_the_rota_uses_the_help_desks()
    {
        var rota = new OnCallRota(Options.Create(new TechnicianOptions()), Options.Create(new OnCallRotaOptions { Shifts = [Shift("ana", "09:00", "17:00")] }),
            Options.Create(new SupportBot.Tickets.SupportOptions { TimeZone = "America/New_York" }));

        Assert.Equal("America/New_York", rota.Zone.Id);
        Assert.Equal(["ana"], Ids(rota.At(Utc(11, 23, 14))));       // 09:00 EST
        Assert.Empty(rota.At(Utc(11, 23, 10)));
    }

    [Theory]
    [InlineData("Mon-Fri", new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday })]
    [InlineData("fri-mon", new[] { DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday, DayOfWeek.Monday })]
    [InlineData("Wednesday", new[] { DayOfWeek.Wednesday })]
    public void Days_are_names_abbreviations_or_ranges(string text, DayOfWeek[] expected)
    {
        Assert.True(OnCallRota.TryParseDays(text, out var days));
        Assert.Equal(expected, days);
    }

    [Fact]
    public void An_unknown_zone_a_bad_day_and_a_shift_without_an_id_are_named_at_start()
    {
        var problems = new OnCallRotaOptions
        {
            TimeZone = "Mars/Olympus_Mons",
            Shifts = [Shift("", "08:00", "17:00", "Mon"), Shift("sam", "08:00", "17:00", "Funday")],
        }.Problems().ToList();

        Assert.Contains(problems, p => p.Contains("'Mars/Olympus_Mons' is not a known time zone"));
        Assert.Contains(problems, p => p.Contains("Shifts:0 has no Id"));
        Assert.Contains(problems, p => p.Contains("'Funday'"));
        Assert.Empty(new OnCallRotaOptions { TimeZone = "America/New_York", Shifts = [Shift("sam", "08:00", "17:00", "Mon-Fri")] }.Problems());
    }
}
