using Microsoft.Extensions.Options;
using SupportBot.Tickets;

namespace SupportBot.Technicians;

// One weekly shift: on each of Days (unset: every day), from From to To local time in the rota's zone.
// To at or before From crosses midnight and ends on the next day ("22:00" to "08:00"; "00:00" to "00:00" is a whole day).
public sealed class OnCallShift
{
    public string[]? Days { get; set; }
    public TimeOnly From { get; set; }
    public TimeOnly To { get; set; }
    // A Teams id (29:...) or an AAD object id.
    public string Id { get; set; } = "";
    public string? Name { get; set; }
}

// "Support:OnCallRota": a simple weekly rota on top of the always-on-call list Support:OnCall.
public sealed class OnCallRotaOptions
{
    // An IANA zone id; unset means the help desk's own, Support:TimeZone.
    public string? TimeZone { get; set; }
    public OnCallShift[]? Shifts { get; set; }

    public IEnumerable<string> Problems()
    {
        if (TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            yield return $"Support:OnCallRota:TimeZone '{TimeZone}' is not a known time zone id (e.g. Europe/London, America/New_York).";
        foreach (var (shift, i) in (Shifts ?? []).Select((s, i) => (s, i)))
        {
            if (string.IsNullOrWhiteSpace(shift.Id))
                yield return $"Support:OnCallRota:Shifts:{i} has no Id (a Teams id 29:... or an AAD object id).";
            foreach (var day in shift.Days ?? [])
                if (!OnCallRota.TryParseDays(day, out _))
                    yield return $"Support:OnCallRota:Shifts:{i}:Days has '{day}': use Mon, Tue, ... Sun, full day names, or a range such as Mon-Fri.";
        }
    }
}

public sealed record OnCallPerson(string Id, string? Name);

// A moment when who is on call changes, and who is on call from then on.
public sealed record OnCallChange(DateTimeOffset At, IReadOnlyList<OnCallPerson> OnCall);

// Who is on call at a moment: everyone in Support:OnCall, plus whoever's rota shift covers it. Shift times are wall-clock
// times in the rota's zone, so a 08:00 shift starts at 08:00 on both sides of a DST change.
public sealed class OnCallRota(IOptions<TechnicianOptions> technicians, IOptions<OnCallRotaOptions> options, IOptions<SupportOptions> support)
{
    static readonly DayOfWeek[] EveryDay = Enum.GetValues<DayOfWeek>();
    static readonly string[] DayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    readonly TimeZoneInfo zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone ?? support.Value.TimeZone);
    readonly IReadOnlyList<(OnCallShift Shift, HashSet<DayOfWeek> Days)> shifts =
        [.. (options.Value.Shifts ?? []).Select(s => (s, s.Days is { Length: > 0 } days ? days.SelectMany(ParseDays).ToHashSet() : [.. EveryDay]))];

    public TimeZoneInfo Zone => zone;
    public bool HasRota => shifts.Count > 0;
    public IReadOnlyList<OnCallPerson> Always =>
        [.. (technicians.Value.OnCall ?? []).Where(o => !string.IsNullOrWhiteSpace(o.Id)).Select(o => new OnCallPerson(o.Id, o.Name))];

    public IReadOnlyList<OnCallPerson> At(DateTimeOffset at)
    {
        var onShift = Intervals(LocalDate(at).AddDays(-1), days: 2)
            .Where(i => i.Start <= at && at < i.End)
            .Select(i => new OnCallPerson(i.Shift.Id, i.Shift.Name));
        return [.. Always.Concat(onShift).DistinctBy(p => p.Id, StringComparer.OrdinalIgnoreCase)];
    }

    // Every change of who is on call after from, up to until, in order.
    public IReadOnlyList<OnCallChange> ChangesBetween(DateTimeOffset from, DateTimeOffset until)
    {
        var days = (LocalDate(until).DayNumber - LocalDate(from).DayNumber) + 2;
        var boundaries = Intervals(LocalDate(from).AddDays(-1), days)
            .SelectMany(i => new[] { i.Start, i.End })
            .Where(t => t > from && t <= until)
            .Distinct().Order();
        var changes = new List<OnCallChange>();
        var current = At(from);
        foreach (var at in boundaries)
        {
            var next = At(at);
            if (next.Select(p => p.Id).ToHashSet(StringComparer.OrdinalIgnoreCase).SetEquals(current.Select(p => p.Id))) continue;
            changes.Add(new OnCallChange(at, next));
            current = next;
        }
        return changes;
    }

    IEnumerable<(OnCallShift Shift, DateTimeOffset Start, DateTimeOffset End)> Intervals(DateOnly firstDay, int days)
    {
        for (var d = 0; d < days; d++)
        {
            var day = firstDay.AddDays(d);
            foreach (var (shift, shiftDays) in shifts)
            {
                if (!shiftDays.Contains(day.DayOfWeek)) continue;
                var endDay = shift.To <= shift.From ? day.AddDays(1) : day;
                yield return (shift, Instant(day, shift.From), Instant(endDay, shift.To));
            }
        }
    }

    DateOnly LocalDate(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    // A wall-clock time in the rota's zone. A time the clocks skip (spring forward) counts as that much later (01:30 on
    // the night London skips 01:00-02:00 is 02:30); a time that happens twice (fall back) means its first occurrence.
    // The same rule for every start and end keeps one shift's end the next one's start.
    DateTimeOffset Instant(DateOnly day, TimeOnly time)
    {
        var wall = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(wall)) return new DateTimeOffset(wall, zone.GetUtcOffset(wall.AddHours(-3)));
        if (zone.IsAmbiguousTime(wall)) return new DateTimeOffset(wall, zone.GetAmbiguousTimeOffsets(wall).Max());
        return new DateTimeOffset(wall, zone.GetUtcOffset(wall));
    }

    // "Mon", "Monday", or a range "Mon-Fri" (wrapping: "Fri-Mon" is Friday to Monday).
    public static bool TryParseDays(string text, out IReadOnlyList<DayOfWeek> days)
    {
        days = [];
        var parsed = text.Split('-', StringSplitOptions.TrimEntries).Select(ParseDay).ToList();
        if (parsed.Count is < 1 or > 2 || parsed.Any(d => d is null)) return false;
        var (first, last) = (parsed[0]!.Value, parsed[^1]!.Value);
        var list = new List<DayOfWeek> { first };
        for (var d = first; d != last; ) list.Add(d = (DayOfWeek)(((int)d + 1) % 7));
        days = list;
        return true;
    }

    static IReadOnlyList<DayOfWeek> ParseDays(string text) => TryParseDays(text, out var days) ? days : [];

    static DayOfWeek? ParseDay(string text)
    {
        if (text.Length < 3) return null;
        var index = Array.IndexOf(DayNames, text[..3].ToLowerInvariant());
        if (index < 0) return null;
        var full = ((DayOfWeek)index).ToString();
        return text.Length == 3 || full.Equals(text, StringComparison.OrdinalIgnoreCase) ? (DayOfWeek)index : null;
    }
}

public sealed class OnCallRotaValidation : IValidateOptions<OnCallRotaOptions>
{
    public ValidateOptionsResult Validate(string? name, OnCallRotaOptions options) =>
        options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
