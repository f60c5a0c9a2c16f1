using SupportBot.Tickets;

namespace SupportBot.Tests.Tickets;

public sealed class SupportHoursTests
{
    static readonly SupportHours Utc = new(new SupportOptions()); // Mon-Fri 08:00-17:00 UTC
    static readonly SupportHours London = new(new SupportOptions { TimeZone = "Europe/London" });
    static readonly TimeSpan FourHours = TimeSpan.FromHours(4);

    static DateTimeOffset At(int month, int day, int hour, int minute = 0, int offsetHours = 0) =>
        new(2026, month, day, hour, minute, 0, TimeSpan.FromHours(offsetHours));

    [Fact]
    public void Within_the_day_the_target_is_simply_added() =>
        Assert.Equal(At(11, 23, 14), Utc.DueAt(At(11, 23, 10), FourHours)); // Monday

    [Fact]
    public void Time_after_the_close_of_day_carries_over_to_the_next_morning() =>
        Assert.Equal(At(11, 24, 11), Utc.DueAt(At(11, 23, 16), FourHours)); // 1 h Monday, 3 h Tuesday

    [Fact]
    public void Friday_afternoon_carries_over_the_weekend_to_monday() =>
        Assert.Equal(At(11, 30, 11, 30), Utc.DueAt(At(11, 27, 16, 30), FourHours));

    [Theory]
    [InlineData(28, 10)] // Saturday
    [InlineData(29, 23)] // Sunday night
    [InlineData(27, 17)] // Friday at closing time
    public void A_request_while_closed_counts_from_the_next_opening(int day, int hour) =>
        Assert.Equal(At(11, 30, 8, 15), Utc.DueAt(At(11, day, hour), TimeSpan.FromMinutes(15)));

    [Theory]
    [InlineData(23, 8, 0, true)]
    [InlineData(23, 16, 59, true)]
    [InlineData(23, 7, 59, false)]
    [InlineData(23, 17, 0, false)]
    [InlineData(28, 10, 0, false)] // Saturday
    public void Open_only_in_hours_on_working_days(int day, int hour, int minute, bool open) =>
        Assert.Equal(open, Utc.IsOpen(At(11, day, hour, minute)));

    [Fact]
    public void London_hours_are_local_time_in_summer() // BST = UTC+1
    {
        Assert.True(London.IsOpen(At(7, 6, 7, 30)));   // 08:30 BST
        Assert.False(London.IsOpen(At(7, 6, 16, 30))); // 17:30 BST
    }

    [Fact]
    public void London_across_the_end_of_summer_time() =>
        // Friday 23 Oct 16:00 BST: 1 h Friday, 3 h Monday 26 Oct (GMT) -> 11:00 GMT.
        Assert.Equal(At(10, 26, 11), London.DueAt(At(10, 23, 16, offsetHours: 1), FourHours));

    [Fact]
    public void London_across_the_start_of_summer_time() =>
        // Friday 27 Mar 16:00 GMT: 1 h Friday, 3 h Monday 30 Mar (BST) -> 11:00 BST.
        Assert.Equal(At(3, 30, 11, offsetHours: 1), London.DueAt(At(3, 27, 16), FourHours));

    [Fact]
    public void Support_days_from_configuration_replace_the_default_week()
    {
        var options = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Support:Days:0"] = "Sunday", ["Support:Days:1"] = "Monday", ["Support:Days:2"] = "Tuesday",
            ["Support:Days:3"] = "Wednesday", ["Support:Days:4"] = "Thursday",
        }).Build().GetSection("Support").Get<SupportOptions>()!;
        var hours = new SupportHours(options);

        Assert.False(hours.IsOpen(new DateTimeOffset(2026, 12, 4, 10, 0, 0, TimeSpan.Zero))); // a Friday
        Assert.True(hours.IsOpen(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero)));  // a Sunday
    }

    [Fact]
    public void Impossible_support_hours_are_named_as_problems()
    {
        Assert.Empty(new SupportOptions().Problems());
        Assert.NotEmpty(new SupportOptions { OpensAt = new(17, 0), ClosesAt = new(8, 0) }.Problems());
        Assert.NotEmpty(new SupportOptions { TimeZone = "Mars/Olympus" }.Problems());
    }
}
