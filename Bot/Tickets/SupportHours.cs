using SupportBot.Triage;

namespace SupportBot.Tickets;

// "Support:" in configuration: when the help desk is staffed, how soon it answers, and who to call when it can't wait.
public sealed class SupportOptions
{
    // An IANA time zone id (e.g. "Europe/London", "America/New_York").
    public string TimeZone { get; set; } = "UTC";
    public TimeOnly OpensAt { get; set; } = new(8, 0);
    public TimeOnly ClosesAt { get; set; } = new(17, 0);
    // Unset means Monday to Friday. (No default array here: configuration binding would add to it, not replace it.)
    public DayOfWeek[]? Days { get; set; }
    public IReadOnlyList<DayOfWeek> OpenDays => Days is { Length: > 0 } days ? days : [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
    // First-response targets, counted in support hours.
    public TimeSpan EmergencyFirstResponse { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan NormalFirstResponse { get; set; } = TimeSpan.FromHours(4);
    public string EmergencyLine { get; set; } =
        "If anyone is in danger, follow your building's safety procedure first. If it can't wait, call the IT emergency line.";

    public TimeSpan FirstResponseTarget(Urgency urgency) =>
        urgency == Urgency.Emergency ? EmergencyFirstResponse : NormalFirstResponse;

    // What an admin gets wrong, said at start-up rather than as a due date a year away.
    public IEnumerable<string> Problems()
    {
        if (ClosesAt <= OpensAt) yield return $"Support:ClosesAt ({ClosesAt}) must be after Support:OpensAt ({OpensAt}).";
        if (EmergencyFirstResponse <= TimeSpan.Zero || NormalFirstResponse <= TimeSpan.Zero) yield return "Support first-response targets must be positive.";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _)) yield return $"Support:TimeZone '{TimeZone}' is not a known time zone id (e.g. Europe/London).";
    }
}

public sealed class SupportHours(SupportOptions options)
{
    readonly TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);

    public SupportOptions Options => options;

    public bool IsOpen(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return options.OpenDays.Contains(local.DayOfWeek) && time >= options.OpensAt && time < options.ClosesAt;
    }

    // The target counted only while the desk is open: a request at 16:50 with a 4-hour target is due late next morning.
    public DateTimeOffset DueAt(DateTimeOffset from, TimeSpan target)
    {
        var remaining = target;
        var at = from;
        for (var day = 0; day < 366 && remaining > TimeSpan.Zero; day++)
        {
            var (opens, closes) = OpeningOn(at);
            if (at < opens) at = opens;
            if (at < closes && options.OpenDays.Contains(TimeZoneInfo.ConvertTime(at, zone).DayOfWeek))
            {
                var available = closes - at;
                if (available >= remaining) return at + remaining;
                remaining -= available;
            }
            at = NextDayStart(at);
        }
        return at;
    }

    // When the desk next opens (now, when open).
    public DateTimeOffset NextOpening(DateTimeOffset from) => IsOpen(from) ? from : DueAt(from, TimeSpan.FromTicks(1));

    public string Describe() =>
        $"{DayRange()} {options.OpensAt:HH\\:mm}-{options.ClosesAt:HH\\:mm}{(options.TimeZone == "UTC" ? " UTC" : "")}";

    public string LocalTime(DateTimeOffset at, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var today = TimeZoneInfo.ConvertTime(now, zone).Date;
        var day = local.Date == today ? "today" : local.Date == today.AddDays(1) ? "tomorrow" : local.ToString("dddd d MMM");
        return $"{local:HH:mm} {day}";
    }

    (DateTimeOffset Opens, DateTimeOffset Closes) OpeningOn(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        DateTimeOffset Local(TimeOnly t)
        {
            var wall = local.Date + t.ToTimeSpan();
            return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
        }
        return (Local(options.OpensAt), Local(options.ClosesAt));
    }

    DateTimeOffset NextDayStart(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var wall = local.Date.AddDays(1);
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    string DayRange()
    {
        var days = options.OpenDays.Order().ToList();
        if (days.SequenceEqual([DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday]))
            return "Monday to Friday";
        if (days.Count == 7) return "Every day";
        return string.Join(", ", days);
    }
}
