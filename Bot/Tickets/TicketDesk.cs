using SupportBot.Knowledge;
using SupportBot.Triage;

namespace SupportBot.Tickets;

// A request that needs a person, as the conversation hands it over.
public sealed record TicketRequest(
    string RequestKey,
    string Problem,
    Person Requester,
    TriageResult Triage,
    Urgency Urgency,
    bool UrgencyConfirmed,
    IReadOnlyList<string>? SuggestedArticles = null,
    PostedCard? RequesterCard = null,
    Person? FiledBy = null,
    string? SourceMessageLink = null,
    StepsTried? StepsTried = null);

// AlreadyDone: this very change (same activity) was applied before; nothing is written or announced again.
public enum ChangeOutcome { Done, AlreadyDone, NotFound, NotAllowed }

// Message: what to tell the person when the change was cut short or refused.
public sealed record ChangeResult(ChangeOutcome Outcome, Ticket? Ticket = null, string? Message = null)
{
    public static readonly ChangeResult NotFound = new(ChangeOutcome.NotFound, Message: "I couldn't find that ticket.");
}

public sealed record RequesterTickets(IReadOnlyList<TicketSummary> Open, IReadOnlyList<TicketSummary> RecentlyClosed);

// The ticket rules: what filing records, who may change what, and which status follows which.
public sealed class TicketDesk(ITicketStore store, KnowledgeBase knowledge, SupportHours hours, TimeProvider clock)
{
    public const int RecentlyClosedShown = 5;

    public async Task<FiledTicket> FileAsync(TicketRequest request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var problem = request.Problem.Trim();
        var place = TicketWording.Place(problem) ?? request.Requester.OfficeLocation;
        var security = request.Triage.Category == "security" && request.Urgency == Urgency.Emergency;
        var filed = await store.FileAsync(request.RequestKey, number => new Ticket
        {
            Number = number,
            Title = TicketWording.Title(problem, request.Triage.Category),
            Problem = problem.Length > TicketLimits.ProblemChars ? problem[..TicketLimits.ProblemChars] : problem,
            ProblemCut = problem.Length > TicketLimits.ProblemChars,
            Requester = request.Requester,
            FiledBy = request.FiledBy,
            SourceMessageLink = request.SourceMessageLink,
            Urgency = request.Urgency,
            UrgencyReason = TicketWording.UrgencyReason(problem, request.Urgency, request.UrgencyConfirmed, request.Triage.Category),
            Category = request.Triage.Category,
            TriageReasons = request.Triage.Reasons,
            SuggestedArticles = request.SuggestedArticles ?? [],
            SuggestionsHelped = request.SuggestedArticles is { Count: > 0 } ? false : null,
            StepsTried = request.StepsTried,
            Location = TicketWording.Place(problem),
            AskForLocation = request.Urgency == Urgency.Emergency && place is null,
            DoNowArticleId = security ? DoNowArticle(problem)?.Id : null,
            CreatedAt = now,
            FirstResponseDueAt = hours.FirstResponseDueAt(request.Urgency, now),
            RequesterCard = request.RequesterCard,
        }, ct);
        return filed;
    }

    // The security article whose steps the requester should follow while a technician is on the way.
    public Article? DoNowArticle(string problem) =>
        knowledge.Search(problem, top: 5, category: "security").Select(h => h.Article).FirstOrDefault(a => a.Category == "security" && a.Id != "spotting-phishing");

    public Task RememberRequesterCardAsync(int number, PostedCard card, CancellationToken ct) =>
        store.RememberCardAsync(number, TicketCardRole.Requester, card, ct);

    // After the ticket is safely filed and shown: a failure to remember the card's id must not tell the user
    // "not saved". False: not stored (the caller tries again later).
    public async Task<bool> TryRememberRequesterCardAsync(int number, PostedCard card, ILogger logger, CancellationToken ct)
    {
        try
        {
            await RememberRequesterCardAsync(number, card, ct);
            return true;
        }
        catch (Exception ex) when (Storage.TableStorage.IsFailure(ex))
        {
            logger.LogWarning("Could not store the card id of ticket {Number}: {Error}", number, ex.GetType().Name);
            return false;
        }
    }

    // Only the requester's own tickets: anyone else's number is "not found", never its content.
    public async Task<Ticket?> FindForRequesterAsync(int number, string requesterTeamsId, CancellationToken ct) =>
        await store.GetAsync(number, ct) is { } ticket && ticket.Requester.TeamsId == requesterTeamsId ? ticket : null;

    public async Task<RequesterTickets> ListForRequesterAsync(string requesterTeamsId, CancellationToken ct)
    {
        var all = await store.ListByRequesterAsync(requesterTeamsId, ct);
        return new RequesterTickets(
            [.. all.Where(t => t.Status.IsOpen())],
            [.. all.Where(t => !t.Status.IsOpen()).OrderByDescending(t => t.UpdatedAt).Take(RecentlyClosedShown)]);
    }

    const int RecentOpenTicketsChecked = 3;

    // The ticket a technician is waiting on this requester for, if any: their next message answers it.
    // The index says which tickets are open; each ticket decides whether it waits, because a row can lag its ticket
    // either way (bench/Chaos soaks: a projection cut off; an older state's rows landing last, from a write that timed
    // out yet was carried out, which took 27 answers for new requests). Read all at once: one round trip, not one each.
    public async Task<TicketSummary?> WaitingOnAsync(string requesterTeamsId, CancellationToken ct)
    {
        var open = (await store.ListByRequesterAsync(requesterTeamsId, ct)).Where(t => t.Status.IsOpen()).ToList();
        // A row behind its ticket is one a change touched moments ago: the most recently updated rows are where to look,
        // so someone with many open tickets costs a few reads a message, not one per ticket (bench: 6.5 a turn).
        var candidates = open.Where(t => t.Status == TicketStatus.WaitingOnRequester)
            .Concat(open.Where(t => t.Status != TicketStatus.WaitingOnRequester).OrderByDescending(t => t.UpdatedAt).Take(RecentOpenTicketsChecked));
        var tickets = await Task.WhenAll(candidates.Select(row => store.GetSummaryAsync(row.Number, ct)));
        return tickets.FirstOrDefault(t => t is { Status: TicketStatus.WaitingOnRequester } && t.RequesterId == requesterTeamsId);
    }

    public Task<ChangeResult> AddDetailsAsync(int number, Person by, string? details, CancellationToken ct, string? changeId = null)
    {
        var (text, cut) = Cap(details, TicketLimits.NoteChars);
        if (text.Length == 0)
            return Task.FromResult(new ChangeResult(ChangeOutcome.NotAllowed, Message: "Type the details in the box first, then press Add details."));
        return ChangeAsRequesterAsync(number, by, t =>
        {
            if (!t.IsOpen) return Refuse(t.Status == TicketStatus.Resolved
                ? "This ticket is resolved. Press Reopen if the problem is back."
                : "This ticket is closed. Send me a new message to start a new request.");
            var status = t.Status == TicketStatus.WaitingOnRequester ? TicketStatus.InProgress : t.Status;
            return Change(t with { Status = status }, new NewEvent(by.TeamsId, by.Name, TicketEventKind.RequesterDetails, "Details added by the requester", text));
        }, cut ? $"Your note was long, so I kept the first {TicketLimits.NoteChars:N0} characters." : null, changeId, ct);
    }

    public Task<ChangeResult> SetLocationAsync(int number, Person by, string? location, CancellationToken ct, string? changeId = null)
    {
        var (text, _) = Cap(location, 200);
        if (text.Length == 0)
            return Task.FromResult(new ChangeResult(ChangeOutcome.NotAllowed, Message: "Type where you are (for example \"Room 12\"), then press Save."));
        return ChangeAsRequesterAsync(number, by, t => !t.IsOpen
            ? Refuse("This ticket is no longer open.")
            : Change(t with { Location = text, AskForLocation = false }, new NewEvent(by.TeamsId, by.Name, TicketEventKind.LocationGiven, $"Location: {text}")),
            null, changeId, ct);
    }

    public Task<ChangeResult> CancelAsync(int number, Person by, CancellationToken ct, string? changeId = null) =>
        ChangeAsRequesterAsync(number, by, t => !t.IsOpen
            ? Refuse($"This ticket is already {t.Status.InWords().ToLowerInvariant()}.")
            : Change(t with { Status = TicketStatus.Cancelled, ClosedAt = clock.GetUtcNow() },
                new NewEvent(by.TeamsId, by.Name, TicketEventKind.Cancelled, "Cancelled by the requester")),
            null, changeId, ct);

    // An emergency the requester fixed with an article while a technician was on the way: closed, saying how, so the
    // technician stands down.
    public Task<ChangeResult> FixedByRequesterAsync(int number, Person by, string articleTitle, CancellationToken ct, string? changeId = null) =>
        ChangeAsRequesterAsync(number, by, t => !t.IsOpen
            ? Refuse($"This ticket is already {t.Status.InWords().ToLowerInvariant()}.")
            : Change(t with { Status = TicketStatus.Cancelled, ClosedAt = clock.GetUtcNow() },
                new NewEvent(by.TeamsId, by.Name, TicketEventKind.Cancelled, $"Fixed by the requester with '{articleTitle}'")),
            null, changeId, ct);

    // How far the requester got with an article's steps while the ticket waited: the technician starts from there.
    public Task<ChangeResult> RecordStepsTriedAsync(int number, Person by, StepsTried tried, CancellationToken ct, string? changeId = null) =>
        ChangeAsRequesterAsync(number, by, t => !t.IsOpen
            ? Refuse("This ticket is no longer open.")
            : Change(t with { StepsTried = tried }, new NewEvent(by.TeamsId, by.Name, TicketEventKind.RequesterDetails, $"Self-help: tried {tried.Describe()}")),
            null, changeId, ct);

    public Task<ChangeResult> ReopenAsync(int number, Person by, CancellationToken ct, string? changeId = null) =>
        ChangeAsRequesterAsync(number, by, t => t.Status != TicketStatus.Resolved
            ? Refuse(t.IsOpen ? "This ticket is still open." : "This ticket is closed. Send me a new message to start a new request.")
            : Change(t with { Status = TicketStatus.InProgress, ResolvedAt = null },
                new NewEvent(by.TeamsId, by.Name, TicketEventKind.Reopened, "Reopened by the requester")),
            null, changeId, ct);

    // Technicians' changes (the caller has checked that the person is a technician). Anything the requester can see
    // counts as the first response.
    public Task<ChangeResult> AssignAsync(int number, Person technician, Person assignee, CancellationToken ct, string? changeId = null) =>
        ChangeAsTechnicianAsync(number, t => !t.IsOpen
            ? Refuse("This ticket is not open.")
            : t.Assignee?.TeamsId == assignee.TeamsId ? Refuse($"Already assigned to {assignee.Name ?? "them"}.")
            : Change(Responded(t) with { Assignee = assignee, Status = t.Status == TicketStatus.New ? TicketStatus.InProgress : t.Status },
                new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.Assigned, $"Assigned to {assignee.Name ?? assignee.TeamsId}")),
            null, changeId, ct);

    public Task<ChangeResult> SetStatusAsync(int number, Person technician, TicketStatus status, CancellationToken ct, string? changeId = null) =>
        status is not (TicketStatus.InProgress or TicketStatus.WaitingOnRequester)
            ? Task.FromResult(new ChangeResult(ChangeOutcome.NotAllowed, Message: "Use Resolve or Reopen for that."))
            : ChangeAsTechnicianAsync(number, t => !t.IsOpen ? Refuse("This ticket is not open.")
                : t.Status == status ? Refuse($"It is already {status.InWords().ToLowerInvariant()}.")
                : Change(Responded(t) with { Status = status, Assignee = t.Assignee ?? technician },
                    new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.StatusChanged, $"Status: {status.InWords()}")),
                null, changeId, ct);

    // "Waiting on requester" with the question typed beside it, as one change: pressed again (after "couldn't pass this
    // on"), the ticket is already waiting and the question is not added a second time, so the press passes the first
    // one on (bench/Chaos soak: a repeated question hid the change, which then never reached the requester).
    public Task<ChangeResult> AskRequesterAsync(int number, Person technician, string? question, CancellationToken ct, string? changeId = null)
    {
        var (text, cut) = Cap(question, TicketLimits.NoteChars);
        return ChangeAsTechnicianAsync(number, t =>
        {
            if (!t.IsOpen) return Refuse("This ticket is not open.");
            if (t.Status == TicketStatus.WaitingOnRequester)
                return Refuse("It is already waiting for the requester. To ask something more, use Note to requester.");
            List<NewEvent> events = text.Length == 0 ? [] : [new(technician.TeamsId, technician.Name, TicketEventKind.NoteToRequester, "Note to the requester", text)];
            events.Add(new(technician.TeamsId, technician.Name, TicketEventKind.StatusChanged, $"Status: {TicketStatus.WaitingOnRequester.InWords()}"));
            return new Decision(new TicketChange(Responded(t) with { Status = TicketStatus.WaitingOnRequester, Assignee = t.Assignee ?? technician }, events), null);
        }, cut ? $"The question was long, so the first {TicketLimits.NoteChars:N0} characters were kept." : null, changeId, ct);
    }

    public Task<ChangeResult> SetFlagsAsync(int number, Person technician, bool budget, bool approval, string? reason, CancellationToken ct, string? changeId = null)
    {
        var (why, _) = Cap(reason, 300);
        if ((budget || approval) && why.Length == 0)
            return Task.FromResult(new ChangeResult(ChangeOutcome.NotAllowed, Message: "Say briefly why it needs budget or approval."));
        return ChangeAsTechnicianAsync(number, t =>
        {
            var next = t with { RequiresBudget = new Flag(budget, budget ? why : null), RequiresApproval = new Flag(approval, approval ? why : null) };
            if (next.RequiresBudget == t.RequiresBudget && next.RequiresApproval == t.RequiresApproval) return Refuse("Nothing changed.");
            var flags = string.Join(" and ", new[] { budget ? "budget" : null, approval ? "approval" : null }.OfType<string>());
            return Change(next, new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.FlagChanged,
                flags.Length == 0 ? "Needs no budget or approval" : $"Requires {flags}: {why}"));
        }, null, changeId, ct);
    }

    public Task<ChangeResult> NoteAsync(int number, Person technician, string? note, bool forRequester, CancellationToken ct, string? changeId = null)
    {
        var (text, cut) = Cap(note, TicketLimits.NoteChars);
        if (text.Length == 0)
            return Task.FromResult(new ChangeResult(ChangeOutcome.NotAllowed, Message: "Type the note first."));
        return ChangeAsTechnicianAsync(number, t => Change(forRequester ? Responded(t) : t, forRequester
                ? new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.NoteToRequester, "Note to the requester", text)
                : new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.InternalNote, "Internal note", text)),
            cut ? $"The note was long, so the first {TicketLimits.NoteChars:N0} characters were kept." : null, changeId, ct);
    }

    public Task<ChangeResult> ResolveAsync(int number, Person technician, string? resolution, CancellationToken ct, string? changeId = null)
    {
        var (text, _) = Cap(resolution, TicketLimits.NoteChars);
        if (text.Length == 0)
            return Task.FromResult(new ChangeResult(ChangeOutcome.NotAllowed, Message: "A resolution note is required: say what fixed it."));
        return ChangeAsTechnicianAsync(number, t => !t.IsOpen ? Refuse("This ticket is not open.")
            : Change(Responded(t) with { Status = TicketStatus.Resolved, ResolvedAt = clock.GetUtcNow(), Assignee = t.Assignee ?? technician },
                new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.Resolved, $"Resolved by {technician.Name ?? "a technician"}", text)),
            null, changeId, ct);
    }

    public Task<ChangeResult> ReopenAsTechnicianAsync(int number, Person technician, CancellationToken ct, string? changeId = null) =>
        ChangeAsTechnicianAsync(number, t => t.Status != TicketStatus.Resolved ? Refuse("Only a resolved ticket can be reopened.")
            : Change(t with { Status = TicketStatus.InProgress, ResolvedAt = null },
                new NewEvent(technician.TeamsId, technician.Name, TicketEventKind.Reopened, $"Reopened by {technician.Name ?? "a technician"}")),
            null, changeId, ct);

    Ticket Responded(Ticket t) => t with { FirstResponseAt = t.FirstResponseAt ?? clock.GetUtcNow() };

    async Task<ChangeResult> ChangeAsTechnicianAsync(int number, Func<Ticket, Decision> decide, string? note, string? changeId, CancellationToken ct)
    {
        Decision decision = default;
        var result = await store.UpdateAsync(number, t =>
        {
            decision = decide(t);
            return decision.Change is { } change ? change with { ChangeId = changeId } : null;
        }, ct);
        if (result is null) return ChangeResult.NotFound;
        if (decision.Refusal is not null) return new ChangeResult(ChangeOutcome.NotAllowed, result.Ticket, decision.Refusal);
        return new ChangeResult(result.Changed ? ChangeOutcome.Done : ChangeOutcome.AlreadyDone, result.Ticket, note);
    }

    // Requester changes: only on their own ticket (anyone else gets "not found"), and only when the rules allow it.
    async Task<ChangeResult> ChangeAsRequesterAsync(int number, Person by, Func<Ticket, Decision> decide, string? note, string? changeId, CancellationToken ct)
    {
        Decision decision = default;
        var result = await store.UpdateAsync(number, t =>
        {
            decision = t.Requester.TeamsId == by.TeamsId ? decide(t) : new Decision(null, null, NotYours: true);
            return decision.Change is { } change ? change with { ChangeId = changeId } : null;
        }, ct);
        if (result is null || decision.NotYours) return ChangeResult.NotFound;
        return decision.Refusal is null
            ? new ChangeResult(ChangeOutcome.Done, result.Ticket, note)
            : new ChangeResult(ChangeOutcome.NotAllowed, result.Ticket, decision.Refusal);
    }

    readonly record struct Decision(TicketChange? Change, string? Refusal, bool NotYours = false);

    static Decision Change(Ticket updated, NewEvent e) => new(new TicketChange(updated, [e]), null);

    static Decision Refuse(string reason) => new(null, reason);

    static (string Text, bool Cut) Cap(string? text, int max)
    {
        var trimmed = (text ?? "").Trim();
        return trimmed.Length > max ? (trimmed[..max], true) : (trimmed, false);
    }
}
