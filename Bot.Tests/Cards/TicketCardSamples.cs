using SupportBot.Cards;
using SupportBot.Escalation;
using SupportBot.Knowledge;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Cards;

// The ticket cards in every state, with realistic and extreme data.
public static class TicketCardSamples
{
    static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static Ticket Ticket(TicketStatus status = TicketStatus.New, Urgency urgency = Urgency.Normal, string? title = null, string? problem = null) => new()
    {
        Number = 1042,
        Title = title ?? "Projector in room 12 shows no signal",
        Problem = problem ?? "The projector in room 12 shows no signal and my class starts in ten minutes",
        Requester = new Person("user-id-0", "Alex Wilber", "aad-0", "alexw@example.com", "alexw@example.com", "Science", "Teacher", "Building A"),
        Urgency = urgency,
        UrgencyReason = TicketWording.UrgencyReason(problem ?? "class starts in ten minutes", urgency, false, title is null ? "" : "security"),
        Category = "classroom-av",
        CreatedAt = Now.AddMinutes(-5),
        FirstResponseDueAt = Now.AddMinutes(10),
        Status = status,
        Assignee = status is TicketStatus.New ? null : new Person("user-id-1", "Megan Bowen"),
        History =
        [
            new TicketEvent(1, Now.AddMinutes(-5), "user-id-0", "Alex Wilber", TicketEventKind.Filed, "Filed"),
            new TicketEvent(2, Now.AddMinutes(-2), "user-id-0", "Alex Wilber", TicketEventKind.RequesterDetails, "Details", "The cable is plugged in at both ends."),
            new TicketEvent(3, Now.AddMinutes(-1), "user-id-1", "Megan Bowen", TicketEventKind.InternalNote, "Internal", "Check the HDMI switcher."),
        ],
    };

    // The SLA watch's replies in a ticket's channel thread.
    static IEnumerable<(string Name, AdaptiveCard Card)> SlaAlerts(SupportHours hours, Ticket emergency, SupportBot.Protocol.ChannelAccount[] onCall,
        SupportBot.Protocol.ChannelAccount unmapped, string extreme)
    {
        var sla = new Sla(hours);
        AdaptiveCard Alert(Ticket t, SlaTargetKind target, SlaState state, IReadOnlyList<SupportBot.Protocol.ChannelAccount> people, DateTimeOffset? at = null)
        {
            var now = at ?? Now;
            var due = target == SlaTargetKind.FirstResponse ? t.FirstResponseDueAt : sla.ResolutionDueAt(t);
            return SlaAlertCard.Create(t, new SlaAlert(t.Number, target, state, due), sla.For(t, now), hours, now, people);
        }
        var late = Now.AddMinutes(12);
        yield return ("sla-alert-emergency-unassigned", Alert(emergency, SlaTargetKind.FirstResponse, SlaState.Breached, [.. onCall, unmapped], late));
        yield return ("sla-alert-emergency-nobody-on-call", Alert(emergency, SlaTargetKind.FirstResponse, SlaState.Breached, [], late));
        yield return ("sla-alert-first-reply-due-soon", Alert(Ticket(), SlaTargetKind.FirstResponse, SlaState.DueSoon, [], Now.AddMinutes(8)));
        var normal = Ticket() with { CreatedAt = Now.AddDays(-7), FirstResponseDueAt = Now.AddDays(-6) };
        yield return ("sla-alert-first-reply-overdue", Alert(normal, SlaTargetKind.FirstResponse, SlaState.Breached, []));
        yield return ("sla-alert-resolution-overdue", Alert(normal with { Status = TicketStatus.InProgress, Assignee = new Person("user-id-1", "Megan Bowen"), FirstResponseAt = Now.AddDays(-6) },
            SlaTargetKind.Resolution, SlaState.Breached, []));
        yield return ("sla-alert-extreme", Alert(emergency with { Title = new string('T', TicketLimits.TitleChars), Problem = extreme }, SlaTargetKind.FirstResponse, SlaState.Breached,
            [.. Enumerable.Range(0, 30).Select(i => new SupportBot.Protocol.ChannelAccount { Id = i % 2 == 0 ? $"29:user-{i}" : null, Name = new string('a', 100) })], Now.AddDays(3)));
    }

    public static IEnumerable<(string Name, AdaptiveCard Card)> All()
    {
        var hours = new SupportHours(new SupportOptions());
        var closedHours = new SupportHours(new SupportOptions { Days = [DayOfWeek.Sunday] });
        var articles = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory);
        var clickedLink = articles.Single(a => a.Id == "clicked-bad-link");
        foreach (var status in Enum.GetValues<TicketStatus>())
            yield return ($"ticket-{status}", RequesterTicketCard.Create(Ticket(status), hours, Now));
        yield return ("ticket-emergency-where-are-you", RequesterTicketCard.Create(Ticket(urgency: Urgency.Emergency) with { AskForLocation = true }, hours, Now));
        yield return ("ticket-security-do-now", RequesterTicketCard.Create(Ticket(urgency: Urgency.Emergency, title: "I clicked a link and typed my password",
            problem: "I clicked a link in an email and typed my password, now I'm worried") with { DoNowArticleId = clickedLink.Id }, hours, Now, clickedLink));
        yield return ("ticket-outside-hours", RequesterTicketCard.Create(Ticket(), closedHours, Now));
        var tried = new StepsTried("projector-no-signal", "Projector says \"No signal\"", 3, 7);
        yield return ("ticket-walkthrough-tried", RequesterTicketCard.Create(Ticket() with { SuggestedArticles = ["projector-no-signal"], SuggestionsHelped = false, StepsTried = tried }, hours, Now));
        yield return ("tech-walkthrough-tried", SupportBot.Technicians.TechnicianCard.Create(Ticket() with { SuggestedArticles = ["projector-no-signal"], SuggestionsHelped = false, StepsTried = tried },
            hours, Now, withActions: true, ["user-id-0"]));
        yield return ("ticket-walkthrough-extreme", RequesterTicketCard.Create(Ticket() with { StepsTried = tried with { ArticleTitle = new string('T', 200), Reached = 20, StepCount = 20 } }, hours, Now));
        yield return ("ticket-with-notice", RequesterTicketCard.Create(Ticket(), hours, Now, notice: "Your note was long, so I kept the first 2,000 characters."));
        var extreme = string.Concat(Enumerable.Repeat("😀 ünïcødé \"quoted\" <b>tag</b> ", 200))[..TicketLimits.ProblemChars];
        yield return ("ticket-extreme", RequesterTicketCard.Create(Ticket(urgency: Urgency.Emergency, title: new string('T', TicketLimits.TitleChars), problem: extreme) with
        {
            ProblemCut = true,
            AskForLocation = true,
            Location = new string('L', 200),
            History = [.. Enumerable.Range(1, 40).Select(i => new TicketEvent(i, Now, "user-id-0", "Alex", TicketEventKind.RequesterDetails, "Details", new string('n', TicketLimits.NoteChars)))],
        }, hours, Now));
        var technicians = new[] { "user-id-0", "user-id-1" };
        var onCall = new[] { new SupportBot.Protocol.ChannelAccount { Id = "user-id-0", Name = "Alex Wilber" } };
        var emergency = Ticket(urgency: Urgency.Emergency) with { SuggestedArticles = ["projector-no-signal"], TriageReasons = ["class or meeting waiting: \"class starts in ten minutes\""] };
        var assignable = new[] { "Alex Wilber", "Megan Bowen", "Adele Vance" }.Select((n, i) => new SupportBot.Protocol.ChannelAccount { Id = $"user-id-{i}", Name = n }).ToList();
        yield return ("tech-emergency", SupportBot.Technicians.TechnicianCard.Create(emergency, hours, Now, withActions: true, technicians, onCall, assignable));
        yield return ("tech-flagged", SupportBot.Technicians.TechnicianCard.Create(Ticket(TicketStatus.InProgress) with
        {
            RequiresBudget = new Flag(true, "new projector lamp, 180 GBP"), RequiresApproval = new Flag(true, "new projector lamp, 180 GBP"),
        }, hours, Now, withActions: true, technicians, assignable: assignable));
        yield return ("tech-emergency-shared", SupportBot.Technicians.TechnicianCard.Create(emergency, hours, Now, withActions: false, technicians, onCall));
        yield return ("tech-normal", SupportBot.Technicians.TechnicianCard.Create(Ticket(TicketStatus.InProgress), hours, Now, withActions: true, technicians));
        yield return ("tech-resolved", SupportBot.Technicians.TechnicianCard.Create(Ticket(TicketStatus.Resolved), hours, Now, withActions: true, technicians));
        yield return ("tech-extreme", SupportBot.Technicians.TechnicianCard.Create(Ticket(urgency: Urgency.Emergency, title: new string('T', TicketLimits.TitleChars), problem: extreme) with
        {
            Requester = new Person("user-id-0", new string('N', 200), null, new string('e', 200), null, new string('D', 200), new string('J', 200), new string('O', 200)),
            History = [.. Enumerable.Range(1, 200).Select(i => new TicketEvent(i, Now, "user-id-1", "Megan", TicketEventKind.InternalNote, "Internal note", new string('n', TicketLimits.NoteChars)))],
            TriageReasons = [.. Enumerable.Range(0, 10).Select(i => new string('r', 100))],
        }, hours, Now, withActions: true, [.. Enumerable.Range(0, 100).Select(i => $"29:user-{i}")], onCall,
            [.. Enumerable.Range(0, 80).Select(i => new SupportBot.Protocol.ChannelAccount { Id = $"29:user-{i}", Name = new string('a', 100) })]));
        var unmapped = new SupportBot.Protocol.ChannelAccount { Name = "Adele Vance", AadObjectId = "22222222-2222-2222-2222-222222222222" };
        yield return ("tech-emergency-unmapped-on-call", SupportBot.Technicians.TechnicianCard.Create(emergency, hours, Now, withActions: false, technicians, [.. onCall, unmapped]));
        foreach (var (name, card) in SlaAlerts(hours, emergency, onCall, unmapped, extreme)) yield return (name, card);
        yield return ("tech-article-draft", SupportBot.Technicians.ArticleDraftCard.Create(Ticket(TicketStatus.Resolved), "Projector in room 12 shows no signal", "Check the cable\nPress Source on the remote\nChoose HDMI 1"));
        yield return ("tech-article-draft-extreme", SupportBot.Technicians.ArticleDraftCard.Create(Ticket(TicketStatus.Resolved), new string('T', 80), extreme[..TicketLimits.NoteChars]));
        yield return ("tech-article-published", SupportBot.Technicians.ArticleDraftCard.Published(clickedLink));
        var queue = Enumerable.Range(0, 40).Select(i => TicketSummary.Of(Ticket(urgency: i < 5 ? Urgency.Emergency : Urgency.Normal)) with { Number = 1100 + i, AssigneeId = i % 3 == 0 ? "user-id-1" : null, AssigneeName = i % 3 == 0 ? "Megan Bowen" : null }).ToList();
        var filedForMegan = Ticket(urgency: Urgency.Emergency) with
        {
            FiledBy = new Person("user-id-1", "Megan Bowen"),
            SourceMessageLink = "https://teams.microsoft.com/l/message/19:chat@thread.v2/1733094000000",
        };
        yield return ("tech-filed-from-message", SupportBot.Technicians.TechnicianCard.Create(filedForMegan, hours, Now, withActions: false, technicians));
        yield return ("ticket-filed-for-you", RequesterTicketCard.Create(filedForMegan, hours, Now));
        yield return ("file-as-ticket-dialog", FileAsTicketCard.Create("Megan Bowen", "The projector in room 5 just died\nand my class is waiting", Urgency.Emergency));
        yield return ("file-as-ticket-dialog-extreme", FileAsTicketCard.Create(new string('N', 200), extreme[..TicketLimits.ProblemChars], Urgency.Normal));
        yield return ("tech-queue", SupportBot.Technicians.QueueCard.Create("Open tickets", queue, hours, Now));
        yield return ("tech-queue-empty", SupportBot.Technicians.QueueCard.Create("Assigned to you", [], hours, Now));
        var cards = new TicketCards(hours, new KnowledgeBase(null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<KnowledgeBase>.Instance), TimeProvider.System);
        yield return ("my-tickets-empty", cards.List(new RequesterTickets([], [])));
        var summary = TicketSummary.Of(Ticket());
        yield return ("my-tickets", cards.List(new RequesterTickets(
            [.. Enumerable.Range(0, 12).Select(i => summary with { Number = 1042 + i, Title = i == 0 ? new string('W', 300) : summary.Title })],
            [.. Enumerable.Range(0, 5).Select(i => summary with { Number = 1000 + i, Status = TicketStatus.Resolved })])));
    }
}
