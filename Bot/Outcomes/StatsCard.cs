using System.Globalization;
using SupportBot.Cards;

namespace SupportBot.Outcomes;

// The `stats` answer: the window's figures, then by category and by technician, and who files most.
public static class StatsCard
{
    const int GroupsShown = 8;

    public static AdaptiveCard Create(OutcomeReport report)
    {
        var o = report.Overall;
        var body = new List<CardElement>
        {
            new TextBlock($"Help desk outcomes · last {Days(report.Window.Days)}") { Size = "Medium", Weight = "Bolder" },
            new TextBlock($"{Date(report.Window.From)} to {Date(report.Window.To)} (UTC)") { IsSubtle = true, Spacing = "None", Size = "Small" },
            new FactSet(Facts(o)),
        };
        AddGroups(body, "By category", report.ByCategory, withDeflections: true);
        AddGroups(body, "By technician", report.ByTechnician, withDeflections: false);
        if (report.KnowledgeGaps.Count > 0 || report.WeakArticles.Count > 0)
            body.Add(new Container([
                new TextBlock("Knowledge gaps") { Weight = "Bolder" },
                .. report.KnowledgeGaps.SelectMany(g => new CardElement[]
                {
                    new TextBlock(GapLine(g)) { Size = "Small", Spacing = "Small" },
                    new ActionSet([new ActionExecute("Draft an article", Technicians.TechnicianVerbs.DraftArticle, new Technicians.TechnicianActionData(g.Example))]) { Spacing = "None" },
                }),
                .. report.WeakArticles.Select(w => (CardElement)new TextBlock(WeakLine(w)) { Size = "Small", Spacing = "Small", Color = "Warning" }),
            ]) { Separator = true });
        if (report.FrequentRequesters.Count > 0)
            body.Add(new Container([
                new TextBlock("Frequent requesters") { Weight = "Bolder" },
                new TextBlock($"{OutcomeReports.FrequentRequesterMinimum} or more tickets: they may welcome training more than tickets.") { IsSubtle = true, Size = "Small", Spacing = "None" },
                .. report.FrequentRequesters.Select(r => (CardElement)new TextBlock(
                    $"{r.Name.Shorten(60)}: {Plural(r.Tickets, "ticket")} ({string.Join(", ", r.Categories.Take(4).Select(c => $"{c.Category.Shorten(30)} {c.Tickets}"))})")
                    { Size = "Small", Spacing = "None" }),
            ]) { Separator = true });
        return new AdaptiveCard
        {
            Body = body,
            FallbackText = $"Help desk outcomes, last {Days(report.Window.Days)}: {o.Opened} opened, {o.Resolved} resolved, satisfaction {Percent(o.Satisfaction)}",
        };
    }

    public static List<Fact> Facts(OutcomeFigures o) =>
    [
        new("Tickets", $"{o.Opened} opened · {o.Resolved} resolved · {Plural(o.Emergencies, "emergency", "emergencies")}"),
        new("First response", $"median {Span(o.MedianFirstResponse)} · {Percent(o.FirstResponseWithinTarget)} within target"),
        new("Resolution", $"median {Span(o.MedianResolution)} · {Percent(o.ResolutionWithinTarget)} within target"),
        new("Satisfaction", o.Satisfaction is null ? "no ratings yet" : $"{Percent(o.Satisfaction)} satisfied or very satisfied"),
        new("Poll answers", o.PollsAsked == 0 ? "no polls asked" : $"{o.PollsAnswered} of {o.PollsAsked} ({Percent(o.ResponseRate)})"),
        new("First-time fix", o.FirstTimeFixRate is null ? "no answers yet" : $"{Percent(o.FirstTimeFixRate)} of {Plural(o.FirstTimeFixAnswers, "answer")}"),
        new("Reopened", o.Resolved == 0 ? "nothing resolved" : $"{o.Reopened} of {o.Resolved} resolved ({Percent(o.ReopenRate)})"),
        new("Deflected", $"{Plural(o.Deflections ?? 0, "request")} fixed by an article ({Percent(o.DeflectionRate)} of requests)"),
    ];

    static void AddGroups(List<CardElement> body, string heading, IReadOnlyList<OutcomeGroup> groups, bool withDeflections)
    {
        if (groups.Count == 0) return;
        var items = new List<CardElement> { new TextBlock(heading) { Weight = "Bolder" } };
        foreach (var g in groups.Take(GroupsShown))
            items.Add(new TextBlock(Line(g, withDeflections)) { Size = "Small", Spacing = "Small" });
        if (groups.Count > GroupsShown)
            items.Add(new TextBlock($"…and {groups.Count - GroupsShown} more.") { IsSubtle = true, Size = "Small" });
        body.Add(new Container(items) { Separator = true });
    }

    public static string Line(OutcomeGroup g, bool withDeflections)
    {
        var f = g.Figures;
        var parts = new List<string> { $"{f.Opened} opened", $"{f.Resolved} resolved" };
        if (f.MedianResolution is not null) parts.Add($"resolved in {Span(f.MedianResolution)} (median)");
        parts.Add(f.Satisfaction is null ? "no ratings" : $"{Percent(f.Satisfaction)} satisfied");
        if (f.FirstTimeFixRate is not null) parts.Add($"first-time fix {Percent(f.FirstTimeFixRate)}");
        if (f.ReopenRate is not null) parts.Add($"reopened {Percent(f.ReopenRate)}");
        if (withDeflections && f.Deflections is > 0) parts.Add($"{f.Deflections} deflected ({Percent(f.DeflectionRate)})");
        return $"{g.Name.Shorten(40)}: {string.Join(" · ", parts)}";
    }

    public static string GapLine(KnowledgeGap g) =>
        $"{g.Tickets} tickets like \"{g.Like.Shorten(60)}\": {(g.NoneOffered ? "no article was offered" : "no article helped")}";

    public static string WeakLine(WeakArticle w) =>
        $"Review \"{w.ArticleId.Shorten(60)}\": shown {w.Shown} times, opened {w.Read}, fixed {Plural((int)w.Fixed, "request")}";

    public static string Percent(double? share) => share is { } s ? Math.Round(s * 100, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) + "%" : "–";

    public static string Span(TimeSpan? span) => span switch
    {
        null => "–",
        { } s when s < TimeSpan.FromMinutes(1) => "under a minute",
        { } s when s < TimeSpan.FromHours(1) => $"{s.Minutes} min",
        { } s when s < TimeSpan.FromDays(1) => s.Minutes == 0 ? $"{s.Hours} h" : $"{s.Hours} h {s.Minutes} min",
        { } s => s.Hours == 0 ? Days(s.Days) : $"{Days(s.Days)} {s.Hours} h",
    };

    static string Days(int days) => days == 1 ? "1 day" : $"{days} days";

    static string Plural(int n, string one, string? many = null) => n == 1 ? $"1 {one}" : $"{n} {many ?? one + "s"}";

    static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("d MMM yyyy", CultureInfo.InvariantCulture);
}
