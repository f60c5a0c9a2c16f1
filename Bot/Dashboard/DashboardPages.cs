using System.Globalization;
using System.Net;
using System.Text;
using SupportBot.Outcomes;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Dashboard;

public static class Html
{
    public static string E(string? text) => WebUtility.HtmlEncode(text ?? "");
}

// How the page is being looked at: the theme (Teams passes it; otherwise the browser's preference) and whether it is in
// a Teams tab, both carried on every link so a click keeps them.
public sealed record PageContext(string Theme, bool InTeams, int Days, TimeZoneInfo Zone)
{
    public static PageContext From(HttpRequest request, TimeZoneInfo zone, int days = OutcomeSource.DefaultDays)
    {
        var theme = request.Query["theme"].ToString() switch { "dark" => "dark", "contrast" => "dark", "light" or "default" => "light", _ => "auto" };
        return new PageContext(theme, request.Query["inTeams"] == "1", days, zone);
    }

    public string Link(string path, int? days = null)
    {
        var query = new List<string>();
        if (days is { } d) query.Add($"days={d}");
        if (Theme != "auto") query.Add($"theme={Theme}");
        if (InTeams) query.Add("inTeams=1");
        return query.Count == 0 ? path : $"{path}?{string.Join("&", query)}";
    }

    public string Time(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

// The dashboard's HTML, rendered on the server. The page is written in two parts: the head and the queue first (one
// partition read, so the first paint does not wait), then the outcome charts once the figures are computed.
public static class DashboardPages
{
    public const string Title = "SupportBot dashboard";

    public static string Head(PageContext page, string title) => $"""
        <!doctype html>
        <html lang="en" data-theme="{page.Theme}">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="color-scheme" content="light dark">
        <title>{Html.E(title)}</title>
        <link rel="stylesheet" href="{DashboardAssets.Css}">
        {(page.InTeams ? $"<script src=\"{DashboardAssets.TeamsScript}\" defer></script>" : "")}
        <script src="{DashboardAssets.TabScript}" defer></script>
        </head>
        <body{(page.InTeams ? " data-in-teams=\"1\"" : "")}>
        <a class="skip" href="#main">Skip to content</a>
        """;

    public const string End = "</main>\n</body>\n</html>\n";

    public static string Header(PageContext page, QueueView queue) => $"""
        <header class="top">
        <h1>{Title}</h1>
        <p class="muted">Open queue at {page.Time(queue.At)} ({page.Zone.Id})</p>
        </header>
        <main id="main">
        """;

    public static string Queue(PageContext page, QueueView queue)
    {
        var html = new StringBuilder();
        html.Append($"<section id=\"queue\" aria-labelledby=\"queue-heading\"><h2 id=\"queue-heading\">Open queue <span class=\"count\">({queue.Tickets.Count})</span></h2>");
        if (queue.Tickets.Count == 0)
            return html.Append("<p>No open tickets.</p></section>").ToString();
        html.Append("<div class=\"table-wrap\" role=\"region\" aria-label=\"Open queue table\" tabindex=\"0\"><table class=\"queue\">");
        html.Append("<caption class=\"visually-hidden\">Open tickets, emergencies first, then by due time</caption>");
        html.Append("<thead><tr><th scope=\"col\">Ticket</th><th scope=\"col\">Urgency</th><th scope=\"col\">SLA</th><th scope=\"col\">Status</th><th scope=\"col\">Assignee</th><th scope=\"col\">Age</th></tr></thead><tbody>");
        foreach (var t in queue.Tickets)
        {
            html.Append($"<tr data-ticket=\"{t.Number}\">");
            html.Append($"<td><a href=\"{Html.E(page.Link($"/dashboard/tickets/{t.Number}"))}\">#{t.Number}</a> <span class=\"title\">{Html.E(t.Title)}</span></td>");
            html.Append($"<td data-label=\"Urgency\">{UrgencyBadge(t.Urgency)}</td>");
            html.Append($"<td data-label=\"SLA\">{SlaBadge(t.SlaState)} <span class=\"sla-text\">{Html.E(t.SlaText)}</span></td>");
            html.Append($"<td data-label=\"Status\">{Html.E(t.Status.InWords())}</td>");
            html.Append($"<td data-label=\"Assignee\">{(t.AssigneeName is { } a ? Html.E(a) : "<span class=\"muted\">Unassigned</span>")}</td>");
            html.Append($"<td data-label=\"Age\">{Html.E(Age(t.Age))}</td></tr>");
        }
        return html.Append("</tbody></table></div></section>").ToString();
    }

    public static string Outcomes(PageContext page, OutcomeReport report, SupportOptions support)
    {
        var o = report.Overall;
        var html = new StringBuilder();
        html.Append("<section id=\"outcomes\" aria-labelledby=\"outcomes-heading\">");
        html.Append($"<div class=\"section-head\"><h2 id=\"outcomes-heading\">The last {report.Window.Days} days</h2>");
        html.Append("<nav aria-label=\"Window\" class=\"windows\"><ul>");
        foreach (var d in DashboardQueries.Windows)
            html.Append($"<li><a href=\"{Html.E(page.Link("/dashboard", d))}#outcomes\"{(d == report.Window.Days ? " aria-current=\"page\"" : "")}>{d} days</a></li>");
        html.Append("</ul></nav></div>");
        html.Append($"<p class=\"muted\">{page.Time(report.Window.From)} to {page.Time(report.Window.To)}. Each day is the 24 hours ending at this time of day.</p>");

        html.Append("<dl class=\"tiles\" id=\"headline\">");
        Tile(html, "Opened", $"{o.Opened}", $"{o.Emergencies} emergencies");
        Tile(html, "Resolved", $"{o.Resolved}", $"median {Duration(o.MedianResolution)}");
        Tile(html, "First reply within target", Percent(o.FirstResponseWithinTarget), $"median {Duration(o.MedianFirstResponse)}");
        Tile(html, "Satisfied", Percent(o.Satisfaction), $"{o.PollsAnswered} of {o.PollsAsked} polls answered");
        Tile(html, "First-time fix", Percent(o.FirstTimeFixRate), $"{o.FirstTimeFixAnswers} answers");
        Tile(html, "Reopened", Percent(o.ReopenRate), $"{o.Reopened} of {o.Resolved} resolved");
        Tile(html, "Deflected", $"{o.Deflections ?? 0}", $"{Percent(o.DeflectionRate)} of requests");
        html.Append("</dl><div class=\"charts\">");

        var days = report.Daily;
        var labels = days.Select(d => d.Date.ToString("d MMM", CultureInfo.InvariantCulture)).ToList();
        string DayCell(OutcomeDay d) => $"<th scope=\"row\">{d.Date:yyyy-MM-dd}</th>";

        // Tickets per day by urgency.
        Chart(html, "chart-volume", "Tickets per day by urgency", $"{o.Opened} opened, {o.Emergencies} of them emergencies.",
            SvgCharts.StackedBars($"Tickets opened per day, emergencies stacked on normal; {o.Opened} in total", labels,
            [
                new("Normal", "s-normal", [.. days.Select(d => (double?)(d.Figures.Opened - d.Figures.Emergencies))]),
                new("Emergency", "s-emergency", [.. days.Select(d => (double?)d.Figures.Emergencies)]),
            ]),
            Legend(("s-emergency", "Emergency"), ("s-normal", "Normal")),
            ["Day", "Emergencies", "Normal", "Total"],
            days.Select(d => $"{DayCell(d)}<td>{d.Figures.Emergencies}</td><td>{d.Figures.Opened - d.Figures.Emergencies}</td><td>{d.Figures.Opened}</td>"));

        // Time to first response against target.
        Chart(html, "chart-first-response", "First reply against target",
            $"{Percent(o.FirstResponseWithinTarget)} of first replies within target; median {Duration(o.MedianFirstResponse)}. Targets: emergencies {Duration(support.EmergencyFirstResponse)} (round the clock), normal {Duration(support.NormalFirstResponse)} of support hours.",
            SvgCharts.StackedBars("Share of first replies within target per day, in percent", labels,
                [new("Within target", "s-good", [.. days.Select(d => d.Figures.FirstResponseWithinTarget * 100)])], fixedMax: 100, unit: "%"),
            Legend(("s-good", "Within target (100% = every first reply on time)"), ("s-bad", "None on time")),
            ["Day", "Median first reply", "Within target"],
            days.Select(d => $"{DayCell(d)}<td>{Duration(d.Figures.MedianFirstResponse)}</td><td>{Percent(d.Figures.FirstResponseWithinTarget)}</td>"));

        // Satisfaction trend.
        Chart(html, "chart-satisfaction", "Satisfaction", $"{Percent(o.Satisfaction)} satisfied or very satisfied (ratings 4-5), {o.PollsAnswered} of {o.PollsAsked} polls answered.",
            SvgCharts.Line("Share of ratings 4 or 5 per day, in percent; days without ratings are left out", labels,
                new("Satisfied", "s-satisfaction", [.. days.Select(d => d.Figures.Satisfaction * 100)]), 100, "%"),
            Legend(("s-satisfaction", "Satisfied (ratings 4-5)")),
            ["Day", "Polls asked", "Answered", "Satisfied"],
            days.Select(d => $"{DayCell(d)}<td>{d.Figures.PollsAsked}</td><td>{d.Figures.PollsAnswered}</td><td>{Percent(d.Figures.Satisfaction)}</td>"));

        // First-time fix and reopen rates.
        Chart(html, "chart-quality", "First-time fix and reopen rates", $"First-time fix {Percent(o.FirstTimeFixRate)}, reopened {Percent(o.ReopenRate)}.",
            SvgCharts.HorizontalBars("First-time fix and reopen rates in percent",
            [
                ("First-time fix", (o.FirstTimeFixRate ?? 0) * 100, Percent(o.FirstTimeFixRate), "s-good"),
                ("Reopened", (o.ReopenRate ?? 0) * 100, Percent(o.ReopenRate), "s-bad"),
            ], fixedMax: 100),
            "",
            ["Measure", "Rate", "Based on"],
            [
                $"<th scope=\"row\">First-time fix</th><td>{Percent(o.FirstTimeFixRate)}</td><td>{o.FirstTimeFixAnswers} answers</td>",
                $"<th scope=\"row\">Reopened</th><td>{Percent(o.ReopenRate)}</td><td>{o.Reopened} of {o.Resolved} resolved</td>",
            ]);

        // Deflections.
        Chart(html, "chart-deflections", "Deflections", $"{o.Deflections ?? 0} requests fixed by an article (\"This fixed it\"), {Percent(o.DeflectionRate)} of requests.",
            SvgCharts.StackedBars($"Requests per day: deflected by an article stacked on tickets opened; {o.Deflections ?? 0} deflected", labels,
            [
                new("Opened", "s-normal", [.. days.Select(d => (double?)d.Figures.Opened)]),
                new("Deflected", "s-good", [.. days.Select(d => (double?)(d.Figures.Deflections ?? 0))]),
            ]),
            Legend(("s-good", "Deflected"), ("s-normal", "Ticket opened")),
            ["Day", "Deflected", "Opened", "Deflection rate"],
            days.Select(d => $"{DayCell(d)}<td>{d.Figures.Deflections ?? 0}</td><td>{d.Figures.Opened}</td><td>{Percent(d.Figures.DeflectionRate)}</td>"));

        // Top categories.
        var top = report.ByCategory.Take(8).ToList();
        Chart(html, "chart-categories", "Top categories", top.Count == 0 ? "Nothing in this window." : $"Most requests: {top[0].Name}.",
            SvgCharts.HorizontalBars("Requests per category (tickets opened plus deflections)",
                [.. top.Select(g => (g.Name, (double)(g.Figures.Opened + (g.Figures.Deflections ?? 0)), $"{g.Figures.Opened + (g.Figures.Deflections ?? 0)}", "s-category"))]),
            "",
            ["Category", "Opened", "Deflected", "Resolved"],
            top.Select(g => $"<th scope=\"row\">{Html.E(g.Name)}</th><td>{g.Figures.Opened}</td><td>{g.Figures.Deflections ?? 0}</td><td>{g.Figures.Resolved}</td>"));
        html.Append("</div>");

        html.Append(Gaps(page, report));
        return html.Append("</section>").ToString();
    }

    static string Gaps(PageContext page, OutcomeReport report)
    {
        var html = new StringBuilder("<section id=\"gaps\" aria-labelledby=\"gaps-heading\"><h3 id=\"gaps-heading\">Knowledge gaps</h3>");
        if (report.KnowledgeGaps.Count == 0)
            html.Append("<p>No group of three or more alike tickets that no article fixed.</p>");
        else
        {
            html.Append("<p class=\"muted\">Resolved tickets that no article fixed, grouped by what they were about, largest first. Draft an article from the example ticket (technician card, \"Draft an article\").</p>");
            html.Append("<div class=\"table-wrap\" role=\"region\" aria-label=\"Knowledge gaps table\" tabindex=\"0\"><table class=\"gaps\"><thead><tr><th scope=\"col\">Like</th><th scope=\"col\">Tickets</th><th scope=\"col\">Example</th><th scope=\"col\">Articles offered</th></tr></thead><tbody>");
            foreach (var gap in report.KnowledgeGaps)
                html.Append($"<tr><th scope=\"row\">{Html.E(gap.Like)}</th><td>{gap.Tickets}</td><td><a href=\"{Html.E(page.Link($"/dashboard/tickets/{gap.Example}"))}\">#{gap.Example}</a></td><td>{(gap.NoneOffered ? "none" : "did not help")}</td></tr>");
            html.Append("</tbody></table></div>");
        }
        if (report.WeakArticles.Count > 0)
        {
            html.Append("<h4>Articles that rarely fix it</h4><ul class=\"weak\">");
            foreach (var w in report.WeakArticles)
                html.Append($"<li>{Html.E(StatsCard.WeakLine(w))}</li>");
            html.Append("</ul>");
        }
        return html.Append("</section>").ToString();
    }

    static void Tile(StringBuilder html, string name, string value, string detail) =>
        html.Append($"<div class=\"tile\"><dt>{Html.E(name)}</dt><dd><span class=\"value\">{Html.E(value)}</span> <span class=\"muted\">{Html.E(detail)}</span></dd></div>");

    static void Chart(StringBuilder html, string id, string title, string summary, string svg, string legend, string[] columns, IEnumerable<string> rows)
    {
        html.Append($"<figure class=\"chart-card\" id=\"{id}\" aria-labelledby=\"{id}-title\">");
        html.Append($"<figcaption><h3 id=\"{id}-title\">{Html.E(title)}</h3><p class=\"summary\">{Html.E(summary)}</p></figcaption>");
        html.Append(svg).Append(legend);
        html.Append($"<details><summary>Table: {Html.E(title.ToLowerInvariant())}</summary><div class=\"table-wrap\"><table><thead><tr>");
        foreach (var c in columns) html.Append($"<th scope=\"col\">{Html.E(c)}</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var r in rows) html.Append("<tr>").Append(r).Append("</tr>");
        html.Append("</tbody></table></div></details></figure>");
    }

    static string Legend(params (string Css, string Name)[] items) =>
        "<ul class=\"legend\">" + string.Concat(items.Select(i => $"<li><svg viewBox=\"0 0 10 10\" aria-hidden=\"true\" focusable=\"false\"><rect class=\"{i.Css}\" width=\"10\" height=\"10\"/></svg>{Html.E(i.Name)}</li>")) + "</ul>";

    public static string Ticket(PageContext page, TicketView view)
    {
        var t = view.Ticket;
        var html = new StringBuilder();
        html.Append($"<header class=\"top\"><p><a href=\"{Html.E(page.Link("/dashboard", page.Days))}\">&larr; Dashboard</a></p>");
        html.Append($"<h1>#{t.Number} {Html.E(t.Title)}</h1><p class=\"muted\">Times in {Html.E(page.Zone.Id)}</p></header><main id=\"main\">");
        html.Append("<section aria-labelledby=\"ticket-heading\"><h2 id=\"ticket-heading\">Ticket</h2><dl class=\"facts\">");
        Fact(html, "Status", Html.E(t.Status.InWords()));
        Fact(html, "Urgency", UrgencyBadge(t.Urgency) + " " + Html.E(t.UrgencyReason));
        Fact(html, "SLA", $"{SlaBadge(view.SlaState)} {Html.E(view.SlaText)}");
        Fact(html, "Category", Html.E(t.Category));
        Fact(html, "Requester", Html.E(t.Requester.Name ?? t.Requester.TeamsId) + (t.Requester.Email is { } mail ? $" ({Html.E(mail)})" : ""));
        Fact(html, "Assignee", t.Assignee is { } a ? Html.E(a.Name ?? a.TeamsId) : "Unassigned");
        Fact(html, "Filed", page.Time(t.CreatedAt));
        Fact(html, "First reply", t.FirstResponseAt is { } fr ? page.Time(fr) : $"not yet (due {page.Time(t.FirstResponseDueAt)})");
        if (t.ResolvedAt is { } resolved) Fact(html, "Resolved", page.Time(resolved));
        if (t.Location is { } location) Fact(html, "Location", Html.E(location));
        if (t.MajorIncident is { } incident) Fact(html, "Major incident", Html.E(incident));
        html.Append("</dl>");
        html.Append($"<h3>Problem</h3><p class=\"problem\">{Html.E(t.Problem)}</p></section>");

        var notes = t.History.Where(e => e.Text is not null && (e.IsInternal || e.IsNoteForRequester)).ToList();
        html.Append("<section aria-labelledby=\"notes-heading\"><h2 id=\"notes-heading\">Notes</h2>");
        if (notes.Count == 0) html.Append("<p>No notes.</p>");
        else
        {
            html.Append("<ul class=\"notes\">");
            foreach (var n in notes)
                html.Append($"<li><p class=\"note-meta\"><strong>{NoteKind(n)}</strong> · {Html.E(n.ByName ?? n.ById)} · {page.Time(n.At)}</p><p class=\"problem\">{Html.E(n.Text)}</p></li>");
            html.Append("</ul>");
        }
        html.Append("</section>");

        html.Append("<section aria-labelledby=\"history-heading\"><h2 id=\"history-heading\">History</h2>");
        html.Append("<div class=\"table-wrap\" role=\"region\" aria-label=\"History table\" tabindex=\"0\"><table class=\"history\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th><th scope=\"col\">What</th></tr></thead><tbody>");
        foreach (var e in t.History.OrderBy(e => e.Seq))
            html.Append($"<tr><td>{page.Time(e.At)}</td><td>{Html.E(e.ByName ?? e.ById)}</td><td>{Html.E(e.Summary)}{(e.IsInternal ? " <span class=\"badge internal\">internal</span>" : "")}</td></tr>");
        html.Append("</tbody></table></div></section>");
        return html.ToString();
    }

    static string NoteKind(TicketEvent e) => e.Kind switch
    {
        TicketEventKind.InternalNote => "Internal note",
        TicketEventKind.Resolved => "Resolution",
        TicketEventKind.RequesterDetails => "From the requester",
        _ => "To the requester",
    };

    static void Fact(StringBuilder html, string name, string valueHtml) => html.Append($"<div><dt>{Html.E(name)}</dt><dd>{valueHtml}</dd></div>");

    // No data at all: what happened and, where there is one, the way in.
    public static string Refused(PageContext page, Access access, string message, bool browserSignIn)
    {
        var help = access switch
        {
            Access.SignInNeeded when page.InTeams => "<p id=\"tab-status\" role=\"status\">Signing you in with Teams…</p>",
            Access.SignInNeeded when browserSignIn => "<p><a class=\"button\" href=\"/dashboard/sign-in\">Sign in with Microsoft</a></p>",
            Access.SignInNeeded => "<p>Sign-in is not configured: set Dashboard:TenantId and Dashboard:ClientId (see README).</p>",
            Access.NotATechnician => "<p>Ask an administrator to add you to Support:Technicians or to the technicians' team. Your own tickets are in the bot's chat: type <code>my tickets</code>.</p>",
            _ => "<p>Open it on the machine the bot runs on, at http://127.0.0.1.</p>",
        };
        return Head(page, $"{message} - SupportBot") + $"<main id=\"main\" class=\"refused\" data-access=\"{access}\"><h1>{Html.E(message)}</h1>{help}" + End;
    }

    public static string NotFound(PageContext page, int number) =>
        $"<header class=\"top\"><p><a href=\"{Html.E(page.Link("/dashboard", page.Days))}\">&larr; Dashboard</a></p><h1>No ticket #{number}</h1></header><main id=\"main\"><p>There is no ticket with that number.</p>";

    static string UrgencyBadge(Urgency urgency) => urgency == Urgency.Emergency
        ? "<span class=\"badge emergency\">Emergency</span>"
        : "<span class=\"badge normal\">Normal</span>";

    public static string SlaBadge(SlaState state) => state switch
    {
        SlaState.Breached => "<span class=\"badge sla-breached\">Breached</span>",
        SlaState.DueSoon => "<span class=\"badge sla-due-soon\">Due soon</span>",
        SlaState.Met => "<span class=\"badge sla-met\">Met</span>",
        _ => "<span class=\"badge sla-on-track\">On track</span>",
    };

    public static string Percent(double? share) => StatsCard.Percent(share);

    public static string Duration(TimeSpan? span) => StatsCard.Span(span);

    static string Age(TimeSpan age) => age < TimeSpan.FromHours(1) ? $"{Math.Max(0, (int)age.TotalMinutes)} min"
        : age < TimeSpan.FromDays(1) ? $"{(int)age.TotalHours} h" : $"{(int)age.TotalDays} d {age.Hours} h";
}
