using SupportBot.Cards;
using SupportBot.Knowledge;
using SupportBot.Triage;

namespace SupportBot.Tickets;

public static class TicketVerbs
{
    public const string AddDetails = "ticket.addDetails";
    public const string SetLocation = "ticket.location";
    public const string Cancel = "ticket.cancel";
    public const string Reopen = "ticket.reopen";
}

// Card data names the ticket and nothing else; the bot reads the ticket and checks who clicked. Inputs arrive
// beside it under their ids.
public sealed record TicketActionData(int Ticket, string? Details = null, string? Location = null);

// The requester's view of one ticket, kept up to date in place: number, title, urgency and why, progress, what
// happens next, and what they can do.
public static class RequesterTicketCard
{
    const int ProblemShown = 600;
    const int NotesShown = 3;

    public static AdaptiveCard Create(Ticket t, SupportHours hours, DateTimeOffset now, Article? doNow = null, string? notice = null)
    {
        var emergency = t.Urgency == Urgency.Emergency;
        var body = new List<CardElement>
        {
            new TextBlock($"Ticket #{t.Number}" + (emergency ? " · EMERGENCY" : "")) { Weight = "Bolder", Color = emergency ? "Attention" : "Accent", Spacing = "None" },
            new TextBlock(t.Title) { Size = "Medium", Weight = "Bolder", Spacing = "Small" },
            new TextBlock(t.Problem.Shorten(ProblemShown)) { IsSubtle = true, Spacing = "Small" },
        };
        if (t.FiledBy is { } filer)
            body.Add(new TextBlock($"{filer.Name ?? "A colleague"} filed this for you from your message in Teams.") { Spacing = "Small" });
        if (notice is not null)
            body.Add(new TextBlock(notice) { Color = "Warning", Weight = "Bolder" });
        if (t.ProblemCut)
            body.Add(new TextBlock($"Your message was long, so the ticket keeps its first {TicketLimits.ProblemChars:N0} characters.") { IsSubtle = true });

        if (t.StepsTried is { } tried)
            body.Add(new TextBlock($"You tried {tried.Describe()}; the technician will start from there.") { IsSubtle = true, Spacing = "Small" });

        body.Add(new TextBlock(Progress(t.Status)) { Spacing = "Medium" });
        body.Add(new FactSet(Facts(t, hours, now)));
        body.Add(new TextBlock(NextStep(t, hours, now)) { Spacing = "Small" });
        if (t.MajorIncident is not null && t.IsOpen)
            body.Add(Incidents.MajorIncidentCard.NoticeForRequester());
        if (emergency && t.IsOpen)
            body.Add(new TextBlock(hours.Options.EmergencyLine) { Weight = "Bolder", Color = "Attention", Spacing = "Small" });

        if (doNow is not null && t.IsOpen)
            body.Add(new Container(
            [
                new TextBlock("Do this now") { Weight = "Bolder", Color = "Attention" },
                new TextBlock(string.Join("\r", ArticleSteps(doNow).Take(5))),
            ]) { Style = "attention", Separator = true });

        var notes = t.NotesForRequester.TakeLast(NotesShown).ToList();
        if (notes.Count > 0)
            body.Add(new Container([
                new TextBlock("Updates") { Weight = "Bolder" },
                .. notes.Select(n => (CardElement)new TextBlock($"{Who(n, t)} · {hours.LocalTime(n.At, now)}: {n.Text!.Shorten(400)}") { Spacing = "Small" }),
            ]) { Separator = true });

        var data = new TicketActionData(t.Number);
        var actions = new List<CardAction>();
        if (t.IsOpen)
        {
            if (t.AskForLocation)
            {
                body.Add(new InputText { Id = "location", Label = "Where are you? (optional, helps a technician find you)", Placeholder = "For example: Room 12, first floor", MaxLength = 200, Separator = true });
                body.Add(new ActionSet([new ActionExecute("Save location", TicketVerbs.SetLocation, data)]));
            }
            body.Add(new InputText { Id = "details", Label = "Anything to add?", Placeholder = "An error message, what you tried, when it started", IsMultiline = true, MaxLength = TicketLimits.NoteChars, Separator = !t.AskForLocation });
            actions.Add(new ActionExecute("Add details", TicketVerbs.AddDetails, data) { Style = "positive" });
            actions.Add(new ActionExecute("Cancel request", TicketVerbs.Cancel, data) { Style = "destructive" });
            if (t.MajorIncident is not null) actions.Add(Incidents.MajorIncidentCard.DifferentProblem(t.Number));
        }
        else if (t.Status == TicketStatus.Resolved)
        {
            actions.Add(new ActionExecute("Reopen", TicketVerbs.Reopen, data));
        }

        return new AdaptiveCard
        {
            Body = body,
            Actions = actions.Count > 0 ? actions : null,
            FallbackText = $"Ticket #{t.Number}: {t.Title} ({t.Status.InWords()})",
        };
    }

    // A simple progress line, in words so it reads the same to a screen reader: done steps ticked.
    public static string Progress(TicketStatus status)
    {
        if (status == TicketStatus.Cancelled) return "✖ Cancelled";
        var reached = status switch
        {
            TicketStatus.New => 1,
            TicketStatus.InProgress or TicketStatus.WaitingOnRequester => 2,
            _ => 3,
        };
        var second = status == TicketStatus.WaitingOnRequester ? "Waiting for you" : "With a technician";
        string Step(int n, string label) => (n <= reached ? "✔ " : "○ ") + label;
        return $"{Step(1, "Received")}  →  {Step(2, second)}  →  {Step(3, status == TicketStatus.Closed ? "Closed" : "Resolved")}";
    }

    static IReadOnlyList<Fact> Facts(Ticket t, SupportHours hours, DateTimeOffset now)
    {
        var facts = new List<Fact>
        {
            new("Status", t.Status.InWords()),
            new("Urgency", (t.Urgency == Urgency.Emergency ? "Emergency. " : "Normal. ") + t.UrgencyReason),
            new("Filed", hours.LocalTime(t.CreatedAt, now)),
        };
        if (t.Location is { } location) facts.Add(new("Where", location));
        if (t.Assignee?.Name is { } assignee) facts.Add(new("Technician", assignee));
        if (Aim(t, hours, now) is { } aim) facts.Add(new("Timing", aim));
        return facts;
    }

    // The response target in plain words: what we aim for, or honestly that we are late.
    public static string? Aim(Ticket t, SupportHours hours, DateTimeOffset now)
    {
        if (!t.IsOpen) return null;
        var sla = new Sla(hours).For(t, now);
        return (sla.FirstResponse.StoppedAt is null, sla.Current.State) switch
        {
            (true, SlaState.Breached) => "Reply overdue, we're on it",
            (true, _) => $"We aim to reply by {hours.LocalTime(sla.Current.DueAt, now)}",
            (false, SlaState.Breached) => "Taking longer than we aimed for, we're still on it",
            (false, _) => $"We aim to fix it by {hours.LocalTime(sla.Current.DueAt, now)}",
        };
    }

    static string NextStep(Ticket t, SupportHours hours, DateTimeOffset now) => t.Status switch
    {
        TicketStatus.New when hours.IsOpen(now) || t.Urgency == Urgency.Emergency =>
            $"What happens next: a technician will reply here, usually by {hours.LocalTime(t.FirstResponseDueAt, now)}. You don't need to do anything else.",
        TicketStatus.New =>
            $"It's outside support hours ({hours.Describe()}), so expect a first reply by {hours.LocalTime(t.FirstResponseDueAt, now)}.",
        TicketStatus.InProgress => "A technician is working on it. You'll see updates on this card.",
        TicketStatus.WaitingOnRequester => "The technician needs something from you: see the latest update, then add details below.",
        TicketStatus.Resolved => "Marked as resolved. If it's not fixed, press Reopen.",
        TicketStatus.Closed => "This ticket is closed. Message me any time something else comes up.",
        _ => "You cancelled this request. Message me any time something else comes up.",
    };

    static string Who(TicketEvent e, Ticket t) => e.ById == t.Requester.TeamsId ? "You" : e.ByName ?? "Technician";

    // The numbered steps of an article's "Steps" section, as markdown list lines.
    static IEnumerable<string> ArticleSteps(Article article)
    {
        var inSteps = false;
        foreach (var raw in article.Body.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("## ", StringComparison.Ordinal)) inSteps = line.Equals("## Steps", StringComparison.OrdinalIgnoreCase);
            else if (inSteps && line.Length > 2 && char.IsDigit(line[0])) yield return line;
        }
    }
}
