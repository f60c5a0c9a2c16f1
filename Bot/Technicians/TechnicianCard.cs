using SupportBot.Cards;
using SupportBot.Protocol;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Technicians;

public static class TechnicianVerbs
{
    public const string Refresh = "tech.refresh";
    public const string AssignToMe = "tech.assignMe";
    public const string InProgress = "tech.inProgress";
    public const string Waiting = "tech.waiting";
    public const string NoteToRequester = "tech.noteRequester";
    public const string InternalNote = "tech.noteInternal";
    public const string Resolve = "tech.resolve";
    public const string Reopen = "tech.reopen";
    public const string AssignTo = "tech.assign";
    public const string DraftArticle = "tech.draftArticle";
    public const string PublishArticle = "tech.publish";
    public const string Flags = "tech.flags";

    public static bool IsTechnicianVerb(string? verb) => verb?.StartsWith("tech.", StringComparison.Ordinal) == true;
}

// Names the ticket only; the note boxes arrive beside it under their ids.
public sealed record TechnicianActionData(int Ticket, string? Note = null, string? Resolution = null, string? Assignee = null,
    string? Budget = null, string? Approval = null, string? FlagReason = null, string? ArticleTitle = null, string? ArticleSteps = null, string? ArticleIntro = null,
    bool FromQueue = false);

// The ticket as technicians see it in their channel: everything needed to act without opening anything else.
// Technicians (refresh userIds) get the buttons; anyone else who can see the channel gets the same card read-only.
public static class TechnicianCard
{
    const int HistoryShown = 6;

    public static AdaptiveCard Create(Ticket t, SupportHours hours, DateTimeOffset now, bool withActions, IReadOnlyList<string> technicianIds,
        IReadOnlyList<ChannelAccount>? mention = null, IReadOnlyList<ChannelAccount>? assignable = null)
    {
        var sla = new Sla(hours).For(t, now);
        var emergency = t.Urgency == Urgency.Emergency;
        var body = new List<CardElement>
        {
            new TextBlock(emergency ? $"🚨 EMERGENCY · Ticket #{t.Number}" : $"Ticket #{t.Number} · Normal")
                { Weight = "Bolder", Size = emergency ? "Large" : "Medium", Color = emergency ? "Attention" : "Accent" },
            new TextBlock(t.Title) { Size = "Medium", Weight = "Bolder", Spacing = "Small" },
        };
        if (mention is { Count: > 0 } && t.IsOpen)
            body.Add(new TextBlock("On call: " + OnCallText(mention)) { Weight = "Bolder" });
        body.Add(new TextBlock("Target: " + sla.Text) { Weight = "Bolder", Spacing = "Small",
            Color = sla.Current.State switch { SlaState.Breached => "Attention", SlaState.DueSoon => "Warning", _ => null } });
        if (Surveys.PollCards.ForTechnicians(t) is { } feedback) body.Add(feedback);
        body.Add(new FactSet(Facts(t, hours, now, withContact: withActions)));
        if (t.MajorIncident is not null)
            body.Add(new TextBlock(Incidents.MajorIncidents.IsParent(t)
                ? "Major incident: resolving this ticket resolves every linked ticket and tells each requester."
                : "Linked to a major incident: its card in this channel resolves it with the others.") { Weight = "Bolder", Color = "Warning" });
        body.Add(new TextBlock(t.Problem.Shorten(800)) { Spacing = "Medium" });
        if (t.FiledBy is { } filer)
            body.Add(new TextBlock($"Filed by {filer.Name ?? filer.TeamsId} from {t.Requester.Name ?? "the requester"}'s message in Teams") { IsSubtle = true, Size = "Small" });
        if (t.SourceMessageLink is { } link)
            body.Add(new ActionSet([new ActionOpenUrl("Open the message", link)]) { Spacing = "None" });
        if (t.TriageReasons.Count > 0)
            body.Add(new TextBlock("Why this urgency: " + string.Join("; ", t.TriageReasons)) { IsSubtle = true, Size = "Small" });
        if (t.RequiresBudget.Required || t.RequiresApproval.Required)
            body.Add(new TextBlock(string.Join(" · ", new[]
            {
                t.RequiresBudget.Required ? $"Requires budget: {t.RequiresBudget.Reason}" : null,
                t.RequiresApproval.Required ? $"Requires approval: {t.RequiresApproval.Reason}" : null,
            }.OfType<string>())) { Color = "Warning", Weight = "Bolder" });
        if (t.SuggestedArticles.Count > 0)
            body.Add(new TextBlock($"Already tried: {string.Join(", ", t.SuggestedArticles)} (said it didn't help)") { IsSubtle = true, Size = "Small" });
        if (t.StepsTried is { } tried)
            body.Add(new TextBlock($"Self-help: tried {tried.Describe()} ({tried.Reached} of {tried.StepCount}), then said it still wasn't working.")
                { Weight = "Bolder", Size = "Small" });

        // The shared card is seen by everyone in the channel: internal notes and contact details only on technicians' view.
        var history = t.History.Where(e => withActions || !e.IsInternal).TakeLast(HistoryShown).ToList();
        if (history.Count > 0)
            body.Add(new Container([
                new TextBlock("History") { Weight = "Bolder" },
                .. history.Select(e => (CardElement)new TextBlock(
                    $"{hours.LocalTime(e.At, now)} · {e.ByName ?? e.ById}: {(e.IsInternal ? "[internal] " : "")}{e.Summary}{(e.Text is null ? "" : ": " + e.Text.Shorten(300))}")
                    { Size = "Small", Spacing = "None" }),
            ]) { Separator = true });

        var data = new TechnicianActionData(t.Number);
        List<CardAction>? actions = null;
        if (withActions)
        {
            actions = [];
            if (t.IsOpen)
            {
                body.Add(new InputText { Id = "note", Label = "Note", Placeholder = "To the requester, or internal", IsMultiline = true, MaxLength = TicketLimits.NoteChars, Separator = true });
                body.Add(new ActionSet([
                    new ActionExecute("Send to requester", TechnicianVerbs.NoteToRequester, data),
                    new ActionExecute("Add internal note", TechnicianVerbs.InternalNote, data),
                ]));
                if (assignable is { Count: > 0 })
                {
                    body.Add(new InputChoiceSet([.. assignable.Where(a => a.Id is not null).Take(50).Select(a => new Choice(a.Name ?? a.Id!, a.Id!))])
                        { Id = "assignee", Label = "Assign to", Placeholder = "Choose a technician", Value = t.Assignee?.TeamsId, Separator = true });
                    body.Add(new ActionSet([new ActionExecute("Assign", TechnicianVerbs.AssignTo, data)]));
                }
                body.Add(new InputToggle("Requires budget") { Id = "budget", Value = t.RequiresBudget.Required ? "true" : "false", Separator = true });
                body.Add(new InputToggle("Requires approval") { Id = "approval", Value = t.RequiresApproval.Required ? "true" : "false" });
                body.Add(new InputText { Id = "flagReason", Label = "Why (for budget or approval)", MaxLength = 300, Value = t.RequiresBudget.Reason ?? t.RequiresApproval.Reason });
                body.Add(new ActionSet([new ActionExecute("Save flags", TechnicianVerbs.Flags, data)]));
                body.Add(new InputText { Id = "resolution", Label = "Resolution (required to resolve)", Placeholder = "What fixed it", IsMultiline = true, MaxLength = TicketLimits.NoteChars });
                body.Add(new ActionSet([new ActionExecute("Resolve", TechnicianVerbs.Resolve, data) { Style = "positive" }]));
                if (t.Assignee is null || t.Status == TicketStatus.New) actions.Add(new ActionExecute("Assign to me", TechnicianVerbs.AssignToMe, data) { Style = "positive" });
                if (t.Status != TicketStatus.InProgress) actions.Add(new ActionExecute("In progress", TechnicianVerbs.InProgress, data));
                if (t.Status != TicketStatus.WaitingOnRequester) actions.Add(new ActionExecute("Waiting on requester", TechnicianVerbs.Waiting, data));
            }
            else if (t.Status == TicketStatus.Resolved)
            {
                actions.Add(new ActionExecute("Reopen", TechnicianVerbs.Reopen, data));
                actions.Add(new ActionExecute("Publish as article", TechnicianVerbs.DraftArticle, data));
            }
        }

        return new AdaptiveCard
        {
            Body = body,
            Actions = actions is { Count: > 0 } ? actions : null,
            Refresh = new CardRefresh(new ActionExecute("Refresh", TechnicianVerbs.Refresh, data), [.. technicianIds.Take(60)]),
            MsTeams = mention is { Count: > 0 } && t.IsOpen
                ? MentionsOf(mention)
                : null,
            FallbackText = $"{(emergency ? "EMERGENCY " : "")}Ticket #{t.Number}: {t.Title} ({t.Status.InWords()})",
        };
    }

    // Someone without a Teams id (an AAD id not found in the team) is named, not mentioned: a mention needs a Teams id.
    public static string OnCallText(IEnumerable<ChannelAccount> onCall) =>
        string.Join(", ", onCall.Select(m => m.Id is null ? m.Name : $"<at>{m.Name}</at>"));

    public static CardTeamsExtras? MentionsOf(IEnumerable<ChannelAccount> onCall) =>
        onCall.Where(m => m.Id is not null).ToList() is { Count: > 0 } mentioned
            ? new CardTeamsExtras([.. mentioned.Select(m => new CardMention($"<at>{m.Name}</at>", m))])
            : null;

    static IReadOnlyList<Fact> Facts(Ticket t, SupportHours hours, DateTimeOffset now, bool withContact)
    {
        var r = t.Requester;
        var facts = new List<Fact>
        {
            new("Status", t.Status.InWords() + (t.Assignee?.Name is { } a ? $" · {a}" : " · unassigned")),
            new("Requester", string.Join(" · ", new[] { r.Name ?? r.TeamsId, r.JobTitle, r.Department }.Where(x => !string.IsNullOrWhiteSpace(x)))),
        };
        if (withContact && (r.Email ?? r.UserPrincipalName) is { } email) facts.Add(new("Email", email));
        if ((t.Location ?? r.OfficeLocation) is { } where) facts.Add(new("Where", where));
        facts.Add(new("Category", t.Category));
        facts.Add(new("Filed", hours.LocalTime(t.CreatedAt, now) + " · " + TicketCards.Age(now - t.CreatedAt)));
        if (t.FirstResponseAt is { } at) facts.Add(new("First reply", hours.LocalTime(at, now)));
        return facts;
    }
}

// "Publish as article": the problem and the resolution as a draft the technician edits, then publishes.
public static class ArticleDraftCard
{
    public static AdaptiveCard Create(Ticket t, string title, string steps) => new()
    {
        Body =
        [
            new TextBlock($"Publish ticket #{t.Number} as an article") { Size = "Medium", Weight = "Bolder" },
            new TextBlock("Write it for someone who is not technical: one step per line. Everyone can read it once published, so take out names and personal details.") { IsSubtle = true },
            new InputText { Id = "articleTitle", Label = "Title", Value = title, MaxLength = 80 },
            new InputText { Id = "articleIntro", Label = "What the problem looks like", Value = t.Problem.Shorten(400), IsMultiline = true, MaxLength = 400 },
            new InputText { Id = "articleSteps", Label = "Steps (one per line)", Value = steps, IsMultiline = true, MaxLength = TicketLimits.NoteChars },
        ],
        Actions = [new ActionExecute("Publish", TechnicianVerbs.PublishArticle, new TechnicianActionData(t.Number)) { Style = "positive" }],
    };

    public static AdaptiveCard Published(Knowledge.Article article) => new()
    {
        Body =
        [
            new TextBlock("Published") { Size = "Medium", Weight = "Bolder", Color = "Good" },
            new TextBlock($"\"{article.Title}\" is in the knowledge base now: the next person who asks gets it before a ticket is filed."),
        ],
    };
}

// "queue" and "mine": the open tickets in the order to work them, with "Assign to me" on the first few.
public static class QueueCard
{
    const int Shown = 25;
    const int WithButtons = 10;

    public static AdaptiveCard Create(string heading, IReadOnlyList<TicketSummary> open, SupportHours hours, DateTimeOffset now)
    {
        var body = new List<CardElement> { new TextBlock($"{heading} ({open.Count})") { Size = "Medium", Weight = "Bolder" } };
        if (open.Count == 0)
            body.Add(new TextBlock("Nothing open. 🎉"));
        foreach (var t in open.Take(Shown).Select((t, i) => (t, i)))
        {
            var s = t.t;
            var due = s.FirstResponseAt is not null ? "first reply given"
                : s.FirstResponseDueAt < now ? $"first reply OVERDUE since {hours.LocalTime(s.FirstResponseDueAt, now)}"
                : $"first reply due {hours.LocalTime(s.FirstResponseDueAt, now)}";
            var line = $"{(s.Urgency == Urgency.Emergency ? "EMERGENCY · " : "")}#{s.Number} {s.Title.Shorten(70)} · {s.Status.InWords()} · {s.AssigneeName ?? "unassigned"} · {TicketCards.Age(now - s.CreatedAt)} · {due}";
            var items = new List<CardElement> { new TextBlock(line) { Size = "Small", Color = s.Urgency == Urgency.Emergency ? "Attention" : null } };
            if (t.i < WithButtons && s.AssigneeId is null)
                items.Add(new ActionSet([new ActionExecute($"Assign #{s.Number} to me", TechnicianVerbs.AssignToMe, new TechnicianActionData(s.Number, FromQueue: true))]));
            body.Add(new Container(items) { Separator = t.i > 0, Spacing = "Small" });
        }
        if (open.Count > Shown)
            body.Add(new TextBlock($"…and {open.Count - Shown} more.") { IsSubtle = true });
        return new AdaptiveCard { Body = body, FallbackText = $"{heading}: {open.Count} open tickets" };
    }
}
