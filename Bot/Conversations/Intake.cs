using Microsoft.Extensions.Options;
using SupportBot.Cards;
using SupportBot.Incidents;
using SupportBot.Knowledge;
using SupportBot.Profiles;
using SupportBot.Protocol;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Conversations;

// What the bot answers a request with. AlreadyPosted: a replay of a request whose card the requester already has.
// Refusal: the click was not this person's to make, or its card data is stale or forged.
// Incident: the ticket was linked under a major incident; the technicians hear of the incident instead of the ticket.
// WhileYouWait: articles to try while a technician comes to an emergency, sent after the ticket's card.
// TicketChanged: the answer changed a ticket the requester and technicians already have cards for.
public sealed record IntakeAnswer(AdaptiveCard? Card, Ticket? Ticket = null, bool AlreadyPosted = false, AdaptiveCardInvokeResponse? Refusal = null,
    IncidentLink? Incident = null, AdaptiveCard? WhileYouWait = null, bool TicketChanged = false)
{
    public static IntakeAnswer Refused(AdaptiveCardInvokeResponse refusal) => new(null, Refusal: refusal);
}

// From a request to its answer: an emergency is filed at once (with an article to try while a technician comes, when
// one fits); a normal request gets the articles that fit first and is filed when none fit or they did not help; when
// triage is unsure, one one-click question decides.
public sealed class Intake(
    ITriage triage,
    KnowledgeBase knowledge,
    ArticleFeedbackStore feedback,
    PendingRequestStore pending,
    TicketDesk desk,
    TicketCards cards,
    ProfileLookup profiles,
    MajorIncidents incidents,
    IOptions<EmergencyPolicy> policy)
{
    public static readonly AdaptiveCardInvokeResponse BadCardData = AdaptiveCardInvokeResponse.Error(400, "BadRequest", "This card's data is incomplete or out of date.");
    public static readonly AdaptiveCardInvokeResponse NotYours = AdaptiveCardInvokeResponse.Error(400, "Forbidden", "Only the person who made this request can do that.");

    // A message that must not be taken as a reply to a technician's question: a security or safety incident, or an
    // outage hitting many people, is a new emergency whatever else is open.
    public static bool IsNewIncident(string text) =>
        Signals.Find(text).Any(s => s.Kind is SignalKind.SecurityOrSafety or SignalKind.Widespread);

    // replacing: the card this answer replaces when it comes from a button (its id is the ticket card's id).
    public async Task<IntakeAnswer> StartAsync(TurnContext turn, string text, string requestKey, PostedCard? replacing, CancellationToken ct)
    {
        var result = triage.Triage(text);
        if (result.Confirm)
        {
            await pending.SaveAsync(requestKey, turn.Activity.From!.Id!, text, ct);
            return new IntakeAnswer(IntakeCards.UrgencyQuestion(requestKey, text, policy.Value));
        }
        return result.Urgency == Urgency.Emergency
            ? await FileEmergencyAsync(turn, requestKey, text, result, confirmed: false, replacing, ct)
            : await SuggestOrFileAsync(turn, requestKey, text, result, confirmed: false, replacing, ct);
    }

    public async Task<IntakeAnswer> AnswerUrgencyAsync(TurnContext turn, UrgencyAnswerData answer, CancellationToken ct)
    {
        var request = await pending.AnswerAsync(answer.Request, turn.Activity.From!.Id!, answer.Emergency, ct);
        if (request is null) return IntakeAnswer.Refused(BadCardData);
        if (request.AnsweredEmergency is not { } emergency) return IntakeAnswer.Refused(NotYours);

        var result = triage.Triage(request.Text);
        var replacing = CardBeingAnswered(turn);
        return emergency
            ? await FileEmergencyAsync(turn, request.Key, request.Text, result, confirmed: true, replacing, ct)
            : await SuggestOrFileAsync(turn, request.Key, request.Text, result, confirmed: true, replacing, ct);
    }

    // "This fixed it" counts a deflection; "I still need help" files the request, carrying what was suggested (and,
    // from a walkthrough, how far the requester got).
    public async Task<IntakeAnswer> AnswerSuggestionAsync(TurnContext turn, ArticleVoteData vote, bool fixedIt, CancellationToken ct, StepsTried? tried = null)
    {
        var fixedBy = fixedIt ? vote.ArticleId : null;
        var result = await feedback.RecordOutcomeAsync(vote.SuggestionId, turn.Activity.From!.Id!, fixedBy, ct);
        switch (result.Outcome)
        {
            case VoteOutcome.NotFound or VoteOutcome.NotOffered:
                return IntakeAnswer.Refused(BadCardData);
            case VoteOutcome.NotYours:
                return IntakeAnswer.Refused(NotYours);
        }

        // One answer per card: after "This fixed it", a later "still need help" on the same card keeps the first answer.
        var fixedArticle = result.Outcome == VoteOutcome.AlreadyAnswered && !string.IsNullOrEmpty(result.PreviousAnswer) ? result.PreviousAnswer : fixedBy;
        if (result.Ticket is { } waiting)
            return await AnswerWhileWaitingAsync(turn, waiting, fixedArticle, tried, ct);
        if (fixedArticle is not null && knowledge.Find(fixedArticle) is { } article)
            return new IntakeAnswer(KnowledgeCards.FixedIt(article));

        var request = result.Request ?? "";
        return await FileAsync(turn, vote.SuggestionId, request, triage.Triage(request), Urgency.Normal, confirmed: false,
            suggested: result.Offered, CardBeingAnswered(turn), ct, tried);
    }

    async Task<IntakeAnswer> FileEmergencyAsync(TurnContext turn, string requestKey, string text, TriageResult result, bool confirmed, PostedCard? replacing, CancellationToken ct)
    {
        var answer = await FileAsync(turn, requestKey, text, result, Urgency.Emergency, confirmed, suggested: null, replacing, ct);
        // Not for what no one fixes alone: a security or safety incident (its card has its own "do this now" steps), an
        // outage hitting many people, or a report joined to a major incident.
        if (answer is not { Ticket: { DoNowArticleId: null } ticket, Incident: null } || IsNewIncident(text))
            return answer;
        var articles = knowledge.Search(text, category: result.Category).Select(h => h.Article).Where(a => ArticleSteps.Of(a).Count > 0).ToList();
        if (articles.Count == 0)
            return answer;
        await feedback.RecordSuggestionAsync(requestKey, turn.Activity.From!.Id!, [.. articles.Select(a => a.Id)], text, ct, ticket.Number);
        return answer with { WhileYouWait = KnowledgeCards.Suggestions(articles, requestKey, waitingTicket: ticket.Number) };
    }

    // Articles tried while an emergency ticket waited: fixed closes the ticket so the technician can stand down; not
    // fixed tells the technician how far the requester got.
    async Task<IntakeAnswer> AnswerWhileWaitingAsync(TurnContext turn, int number, string? fixedArticleId, StepsTried? tried, CancellationToken ct)
    {
        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        var changeId = RequestKeys.For(turn.Activity, turn.Activity.Id);
        var fixedBy = fixedArticleId is null ? null : knowledge.Find(fixedArticleId);
        var change = fixedBy is not null ? await desk.FixedByRequesterAsync(number, by, fixedBy.Title, ct, changeId)
            : tried is not null ? await desk.RecordStepsTriedAsync(number, by, tried, ct, changeId)
            : new ChangeResult(ChangeOutcome.AlreadyDone, await desk.FindForRequesterAsync(number, by.TeamsId, ct));
        if (change.Ticket is not { } ticket) return IntakeAnswer.Refused(NotYours);
        var card = fixedBy is not null ? KnowledgeCards.FixedIt(fixedBy, ticket.Number) : cards.ForRequester(ticket);
        return new IntakeAnswer(card, ticket, TicketChanged: change.Outcome == ChangeOutcome.Done);
    }

    async Task<IntakeAnswer> SuggestOrFileAsync(TurnContext turn, string requestKey, string text, TriageResult result, bool confirmed, PostedCard? replacing, CancellationToken ct)
    {
        if (knowledge.Search(text, category: result.Category) is { Count: > 0 } hits)
        {
            var articles = hits.Select(h => h.Article).ToList();
            await feedback.RecordSuggestionAsync(requestKey, turn.Activity.From!.Id!, [.. articles.Select(a => a.Id)], text, ct);
            return new IntakeAnswer(KnowledgeCards.Suggestions(articles, requestKey));
        }
        return await FileAsync(turn, requestKey, text, result, Urgency.Normal, confirmed, suggested: null, replacing, ct);
    }

    async Task<IntakeAnswer> FileAsync(TurnContext turn, string requestKey, string text, TriageResult result, Urgency urgency, bool confirmed,
        IReadOnlyList<string>? suggested, PostedCard? replacing, CancellationToken ct, StepsTried? tried = null)
    {
        var requester = await profiles.LookupAsync(turn, ct);
        var filed = await desk.FileAsync(new TicketRequest(requestKey, text, requester, result, urgency, confirmed, suggested, replacing, StepsTried: tried), ct);
        if (filed.Ticket.Requester.TeamsId != requester.TeamsId)
            return IntakeAnswer.Refused(NotYours);
        var alreadyPosted = !filed.Created && filed.Ticket.RequesterCard is not null && replacing is null;
        // A new report alike several others just before it joins (or opens) a major incident; its card says so.
        var incident = filed.Created ? await incidents.TryReportAsync(filed.Ticket, ct) : null;
        var ticket = incident?.Ticket ?? filed.Ticket;
        return new IntakeAnswer(cards.ForRequester(ticket), ticket, alreadyPosted, Incident: incident);
    }

    public static PostedCard? CardBeingAnswered(TurnContext turn) =>
        string.IsNullOrEmpty(turn.Activity.ReplyToId) || turn.Activity.Conversation?.Id is not { } conversation
            ? null
            : new PostedCard(turn.Activity.ServiceUrl, conversation, turn.Activity.ReplyToId);
}
