using SupportBot.Cards;
using SupportBot.Protocol;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Incidents;

// The one card technicians get for a wave of alike reports, rewritten in place as reports arrive; technicians
// (refresh userIds) get "Resolve all", anyone else in the channel the same card read-only.
public static class MajorIncidentCard
{
    const int ReportsShown = 15;

    public static string Headline(MajorIncident incident, DateTimeOffset now)
    {
        var linked = incident.Linked;
        var first = linked.Count > 0 ? linked[0].At : incident.CreatedAt;
        var last = linked.Count > 0 ? linked[^1].At : incident.CreatedAt;
        var minutes = Math.Max(1, (int)Math.Ceiling((last - first).TotalMinutes));
        var since = Math.Max(minutes, (int)Math.Ceiling((now - first).TotalMinutes));
        var span = incident.Resolved ? $"within {Minutes(minutes)}" : $"in the last {Minutes(since)}";
        return $"{linked.Count} report{(linked.Count == 1 ? "" : "s")} of {incident.Subject} {span}";
    }

    static string Minutes(int n) => n == 1 ? "1 minute" : $"{n} minutes";

    public static AdaptiveCard Create(MajorIncident incident, SupportHours hours, DateTimeOffset now, bool withActions, IReadOnlyList<string> technicianIds,
        IReadOnlyList<ChannelAccount>? mention = null)
    {
        var linked = incident.Linked;
        var open = !incident.Resolved;
        var body = new List<CardElement>
        {
            new TextBlock(open ? "⚠️ Possible major incident" : "✔ Major incident resolved")
                { Weight = "Bolder", Size = "Large", Color = open ? "Attention" : "Good" },
            new TextBlock(Headline(incident, now)) { Size = "Medium", Weight = "Bolder", Spacing = "Small" },
        };
        if (mention is { Count: > 0 } && open)
            body.Add(new TextBlock("On call: " + string.Join(", ", mention.Select(m => $"<at>{m.Name}</at>"))) { Weight = "Bolder" });
        var facts = new List<Fact>
        {
            new("Parent ticket", incident.ParentNumber is { } parent ? $"#{parent}" : "being created"),
            new("Category", incident.Category),
            new("Urgency", incident.Emergency ? "EMERGENCY (at least one report)" : "Normal"),
            new("First report", linked.Count > 0 ? hours.LocalTime(linked[0].At, now) : "-"),
            new("Latest report", linked.Count > 0 ? hours.LocalTime(linked[^1].At, now) : "-"),
        };
        body.Add(new FactSet(facts));
        body.Add(new TextBlock(open
            ? "Each reporter was told we already know and will get updates. Resolving here resolves every linked ticket and tells each requester."
            : $"Resolved by {incident.ResolvedByName ?? "a technician"}: {incident.Resolution?.Shorten(600)}") { Wrap = true, Spacing = "Small", Color = open ? null : "Good" });

        var absorbed = linked.Where(r => r.Absorbed).Select(r => $"#{r.Number}").ToList();
        if (absorbed.Count > 0)
            body.Add(new TextBlock($"Absorbed {string.Join(", ", absorbed)}: posted here on their own before the pattern showed; they are linked now.")
                { IsSubtle = true, Size = "Small" });

        body.Add(new Container([
            new TextBlock($"Linked tickets ({linked.Count})") { Weight = "Bolder" },
            .. linked.Take(ReportsShown).Select(r => (CardElement)new TextBlock(
                $"#{r.Number} · {hours.LocalTime(r.At, now)} · {(r.RequesterName ?? "someone").Shorten(60)}{(r.Urgency == Urgency.Emergency ? " · EMERGENCY" : "")}: {r.Title.Shorten(90)}")
                { Size = "Small", Spacing = "None" }),
            .. linked.Count > ReportsShown ? [new TextBlock($"…and {linked.Count - ReportsShown} more.") { IsSubtle = true, Size = "Small" }] : Array.Empty<CardElement>(),
        ]) { Separator = true });

        var separated = incident.Reports.Where(r => r.Separated).Select(r => $"#{r.Number}").ToList();
        if (separated.Count > 0)
            body.Add(new TextBlock($"Said their problem is different (now tickets of their own): {string.Join(", ", separated.Take(30))}{(separated.Count > 30 ? ", …" : "")}")
                { IsSubtle = true, Size = "Small" });

        var data = new IncidentActionData(incident.Id);
        if (withActions && open)
        {
            body.Add(new InputText { Id = "resolution", Label = "Resolution for every linked ticket (required)", Placeholder = "What was wrong and what fixed it", IsMultiline = true, MaxLength = TicketLimits.NoteChars, Separator = true });
            body.Add(new ActionSet([new ActionExecute($"Resolve the incident and its {linked.Count} linked tickets", IncidentVerbs.Resolve, data) { Style = "positive" }]));
        }
        return new AdaptiveCard
        {
            Body = body,
            Refresh = new CardRefresh(new ActionExecute("Refresh", IncidentVerbs.Refresh, data), [.. technicianIds.Take(60)]),
            MsTeams = mention is { Count: > 0 } && open ? new CardTeamsExtras([.. mention.Select(m => new CardMention($"<at>{m.Name}</at>", m))]) : null,
            FallbackText = $"{(open ? "Possible major incident" : "Major incident resolved")}: {Headline(incident, now)}",
        };
    }

    public const string WeAlreadyKnow = "We already know about this and are working on it; you'll get updates here.";

    // On the requester's own ticket card while it is linked: the reassurance, and the way out.
    public static CardElement NoticeForRequester() => new Container([
        new TextBlock(WeAlreadyKnow) { Weight = "Bolder", Wrap = true },
        new TextBlock("Several people reported the same problem, so it is being handled as one. If yours is something else, press \"My problem is different\".") { IsSubtle = true, Wrap = true, Spacing = "Small" },
    ]) { Style = "emphasis", Separator = true };

    public static CardAction DifferentProblem(int ticket) =>
        new ActionExecute("My problem is different", IncidentVerbs.Separate, new IncidentActionData(Ticket: ticket));
}
