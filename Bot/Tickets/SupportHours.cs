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
    // Dates (yyyy-MM-dd, in the desk's time zone) when the desk is closed all day. Unset means none (no default array, as for Days).
    public DateOnly[]? Holidays { get; set; }
    // One business day: the length of one support day.
    public TimeSpan SupportDay => ClosesAt - OpensAt;
    // Response targets. Emergencies count wall-clock time (24/7); normal tickets count support hours.
    // Normal targets left unset follow the support day (1 and 5 business days), so changing the hours keeps them meaning "days".
    public TimeSpan EmergencyFirstResponse { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan NormalFirstResponse { get => normalFirstResponse ?? SupportDay; set => normalFirstResponse = value; }
    public TimeSpan EmergencyResolution { get; set; } = TimeSpan.FromHours(4);
    public TimeSpan NormalResolution { get => normalResolution ?? 5 * SupportDay; set => normalResolution = value; }
    // A target is "due soon" once no more than this fraction of it, or this fixed window, is left (whichever is larger).
    public double DueSoonFraction { get; set; } = 0.25;
    public TimeSpan DueSoonWindow { get; set; } = TimeSpan.Zero;
    public string EmergencyLine { get; set; } =
        "If anyone is in danger, follow your building's safety procedure first. If it can't wait, call the IT emergency line.";

    TimeSpan? normalFirstResponse;
    TimeSpan? normalResolution;

    public TimeSpan FirstResponseTarget(Urgency urgency) =>
        urgency == Urgency.Emergency ? EmergencyFirstResponse : NormalFirstResponse;

    public TimeSpan ResolutionTarget(Urgency urgency) =>
        urgency == Urgency.Emergency ? EmergencyResolution : NormalResolution;

    public static bool CountsWallClock(Urgency urgency) => urgency == Urgency.Emergency;

    // What an admin gets wrong, said at start-up rather than as a due date a year away.
    public IEnumerable<string> Problems()
    {
        if (ClosesAt <= OpensAt) yield return $"Support:ClosesAt ({ClosesAt}) must be after Support:OpensAt ({OpensAt}).";
        if (EmergencyFirstResponse <= TimeSpan.Zero || NormalFirstResponse <= TimeSpan.Zero) yield return "Support first-response targets must be positive.";
        if (EmergencyResolution <= TimeSpan.Zero || NormalResolution <= TimeSpan.Zero) yield return "Support resolution targets must be positive.";
        if (DueSoonFraction is < 0 or >= 1 || double.IsNaN(DueSoonFraction)) yield return $"Support:DueSoonFraction ({DueSoonFraction}) must be from 0 up to (not including) 1.";
        if (DueSoonWindow < TimeSpan.Zero) yield return "Support:DueSoonWindow must not be negative.";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _)) yield return $"Support:TimeZone '{TimeZone}' is not a known time zone id (e.g. Europe/London).";
    }
}

public sealed class SupportHours(SupportOptions options)
{
    readonly TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
    readonly HashSet<DateOnly> holidays = [.. options.Holidays ?? []];

    public SupportOptions Options => options;

    public bool IsOpen(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        return IsWorkingDay(local.DateTime) && time >= options.OpensAt && time < options.ClosesAt;
    }

    public bool IsHoliday(DateTimeOffset at) => holidays.Contains(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime));

    // The target counted only while the desk is open: a request at 16:50 with a 4-hour target is due late next morning.
    public DateTimeOffset DueAt(DateTimeOffset from, TimeSpan target)
    {
        var remaining = target;
        var at = from;
        for (var day = 0; day < 366 && remaining > TimeSpan.Zero; day++)
        {
            var (opens, closes) = OpeningOn(at);
            if (at < opens) at = opens;
            if (at < closes && IsWorkingDay(TimeZoneInfo.ConvertTime(at, zone).DateTime))
            {
                var available = closes - at;
                if (available >= remaining) return at + remaining;
                remaining -= available;
            }
            at = NextDayStart(at);
        }
        return at;
    }

    // Emergencies are answered around the clock; everything else only while the desk is open.
    public DateTimeOffset DueAt(Urgency urgency, DateTimeOffset from, TimeSpan target) =>
        SupportOptions.CountsWallClock(urgency) ? from + target : DueAt(from, target);

    public DateTimeOffset FirstResponseDueAt(Urgency urgency, DateTimeOffset filedAt) =>
        DueAt(urgency, filedAt, options.FirstResponseTarget(urgency));

    // Time as the urgency's target counts it: wall-clock for emergencies, support hours otherwise. Negative when to < from.
    public TimeSpan TimeBetween(Urgency urgency, DateTimeOffset from, DateTimeOffset to) =>
        SupportOptions.CountsWallClock(urgency) ? to - from : BusinessTimeBetween(from, to);

    // The support hours between two instants (negative when to < from).
    public TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from) return -BusinessTimeBetween(to, from);
        var total = TimeSpan.Zero;
        for (var at = from; at < to; at = NextDayStart(at))
        {
            if (!IsWorkingDay(TimeZoneInfo.ConvertTime(at, zone).DateTime)) continue;
            var (opens, closes) = OpeningOn(at);
            var start = at > opens ? at : opens;
            var end = to < closes ? to : closes;
            if (end > start) total += end - start;
        }
        return total;
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

    bool IsWorkingDay(DateTime local) => options.OpenDays.Contains(local.DayOfWeek) && !holidays.Contains(DateOnly.FromDateTime(local));

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
