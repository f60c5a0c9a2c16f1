using System.Text.Json;
using Azure;
using Microsoft.Extensions.Options;
using SupportBot.Knowledge;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Triage;

namespace SupportBot.Conversations;

// The conversation a user has with the help desk. Reads top to bottom like the chat itself.
public sealed class HelpDeskBot(
    ITriage triage,
    KnowledgeBase knowledge,
    ArticleFeedbackStore feedback,
    ConversationReferenceStore references,
    ProactiveMessenger proactive,
    IOptions<EmergencyPolicy> emergencyPolicy,
    ILogger<HelpDeskBot> logger) : ActivityHandler
{
    EmergencyPolicy Policy => emergencyPolicy.Value;

    public override async Task OnTurnAsync(TurnContext turn, CancellationToken ct)
    {
        try
        {
            await base.OnTurnAsync(turn, ct);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            // Storage is down or slow: say so, and hand the user back what they typed so nothing is lost.
            logger.LogError("Storage failed during {Type} activity {ActivityId}: {Error}", turn.Activity.Type, turn.Activity.Id, ex.GetBaseException().Message);
            if (turn.Activity.Type == ActivityTypes.Message)
                await turn.SendActivityAsync(StorageTrouble(turn.Activity.Text), ct);
            else if (turn.Activity.Type == ActivityTypes.Invoke)
                turn.InvokeResponse = new InvokeResponse(200, AdaptiveCardInvokeResponse.Error(500, "StorageUnavailable", "I couldn't save that just now. Please try again in a minute."));
        }
    }

    protected override async Task OnInstallationAddAsync(TurnContext turn, CancellationToken ct)
    {
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: WelcomeCards.Welcome(turn.Activity.From?.Name, Policy).ToAttachment()), ct);
        await references.SaveAsync(turn.Activity.GetConversationReference(), ct);
    }

    protected override async Task OnMessageAsync(TurnContext turn, CancellationToken ct)
    {
        var text = (turn.Activity.Text ?? "").Trim();
        if (text.Length == 0)
        {
            await base.OnMessageAsync(turn, ct);
            return;
        }

        switch (text.ToLowerInvariant())
        {
            case "help" or "?":
                await turn.SendActivityAsync(WelcomeCards.Help(Policy), ct);
                return;
            case "notify me":
                await SendTestNotificationAsync(turn, ct);
                return;
        }

        if (text.Length > TriageInput.MaxMessageChars)
        {
            await turn.SendActivityAsync($"That message is too long for me ({text.Length:N0} characters). Please describe the problem in under {TriageInput.MaxMessageChars:N0} characters, and attach logs as a file instead.", ct);
            return;
        }

        var requester = turn.Activity.From!.Id!;
        var result = triage.Triage(text);
        if (result is { Urgency: Urgency.Normal, Confirm: false } && knowledge.Search(text) is { Count: > 0 } hits)
        {
            // Not urgent and something in the knowledge base fits: offer the fix before anything is filed.
            var suggestionId = Guid.NewGuid().ToString("N");
            var articles = hits.Select(h => h.Article).ToList();
            await feedback.RecordSuggestionAsync(suggestionId, requester, articles.Select(a => a.Id).ToList(), text, ct);
            await turn.SendActivityAsync(Activity.CreateMessage(attachments: KnowledgeCards.Suggestions(articles, suggestionId).ToAttachment()), ct);
            return;
        }

        var card = RequestReceivedCard.Create(text, requester, result.Urgency, ask: result.Confirm, Policy);
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: card.ToAttachment()), ct);
    }

    protected override Task OnCardSubmitAsync(TurnContext turn, JsonElement data, CancellationToken ct) =>
        data.TryGetProperty("command", out var command) && command.ValueKind == JsonValueKind.String && command.GetString() == "help"
            ? turn.SendActivityAsync(WelcomeCards.Help(Policy), ct)
            : Task.CompletedTask;

    protected override Task<AdaptiveCardInvokeResponse> OnAdaptiveCardActionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct) =>
        action.Verb switch
        {
            RequestReceivedCard.RefreshVerb => ForRequester(turn, action, d =>
                RequestReceivedCard.Create(d.Text, d.RequesterId, UrgencyOf(d), ask: false, Policy, d.Checks + 1)),
            RequestReceivedCard.UrgencyVerb => ForRequester(turn, action, d =>
                RequestReceivedCard.Create(d.Text, d.RequesterId, UrgencyOf(d), ask: false, Policy)),
            KnowledgeVerbs.Fixed or KnowledgeVerbs.StillNeedHelp => AnswerSuggestionAsync(turn, action, ct),
            _ => Task.FromResult(AdaptiveCardInvokeResponse.Error(400, "UnknownAction", "This button is no longer supported.")),
        };

    async Task<AdaptiveCardInvokeResponse> AnswerSuggestionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        var vote = Read<ArticleVoteData>(action);
        if (vote is null || string.IsNullOrEmpty(vote.SuggestionId) || (action.Verb == KnowledgeVerbs.Fixed && string.IsNullOrEmpty(vote.ArticleId)))
            return BadCardData;

        var fixedBy = action.Verb == KnowledgeVerbs.Fixed ? vote.ArticleId : null;
        var result = await feedback.RecordOutcomeAsync(vote.SuggestionId, turn.Activity.From!.Id!, fixedBy, ct);
        switch (result.Outcome)
        {
            case VoteOutcome.NotFound or VoteOutcome.NotOffered:
                return BadCardData;
            case VoteOutcome.NotYours:
                return NotYours;
        }

        if (fixedBy is not null && knowledge.Find(fixedBy) is { } article)
            return AdaptiveCardInvokeResponse.Card(KnowledgeCards.FixedIt(article));
        var request = result.Request ?? "";
        var urgency = TriageInput.Problem(request) is null ? triage.Triage(request).Urgency : Urgency.Normal;
        return AdaptiveCardInvokeResponse.Card(RequestReceivedCard.Create(request, turn.Activity.From!.Id!, urgency, ask: false, Policy));
    }

    // Card data comes from the client: it is user input, and only the person who asked may act on their request.
    static Task<AdaptiveCardInvokeResponse> ForRequester(TurnContext turn, AdaptiveCardInvokeAction action, Func<RequestStatusData, Cards.AdaptiveCard> card)
    {
        var data = Read<RequestStatusData>(action);
        if (data is null || string.IsNullOrEmpty(data.RequesterId) || data.Text is null || data.Checks < 0)
            return Task.FromResult(BadCardData);
        if (data.RequesterId != turn.Activity.From?.Id)
            return Task.FromResult(NotYours);
        return Task.FromResult(AdaptiveCardInvokeResponse.Card(card(data)));
    }

    static T? Read<T>(AdaptiveCardInvokeAction action) where T : class
    {
        try { return action.Data?.Deserialize<T>(ProtocolJson.Options); }
        catch (JsonException) { return null; }
    }

    static readonly AdaptiveCardInvokeResponse BadCardData = AdaptiveCardInvokeResponse.Error(400, "BadRequest", "This card's data is incomplete or out of date.");
    static readonly AdaptiveCardInvokeResponse NotYours = AdaptiveCardInvokeResponse.Error(403, "Forbidden", "Only the person who made this request can do that.");

    static Urgency UrgencyOf(RequestStatusData d) => d.Emergency ? Urgency.Emergency : Urgency.Normal;

    async Task SendTestNotificationAsync(TurnContext turn, CancellationToken ct)
    {
        var reference = turn.Activity.GetConversationReference();
        await references.SaveAsync(reference, ct);
        var posted = await proactive.SendToUserAsync(reference, Activity.CreateMessage("Test notification: sending..."), ct);
        await proactive.UpdateAsync(posted, Activity.CreateMessage("Test notification: delivered. You'll get ticket updates like this."), ct);
    }

    // The Azure SDK throws RequestFailedException, or an AggregateException of them once its retries run out.
    static bool IsStorageFailure(Exception ex) =>
        ex is RequestFailedException || (ex is AggregateException agg && agg.InnerExceptions.All(e => e is RequestFailedException));

    static string StorageTrouble(string? typed) =>
        "Sorry, I couldn't save that just now. Please try again in a minute." +
        (string.IsNullOrWhiteSpace(typed) ? "" : $" Here is what you wrote, so you can send it again:\n\n> {typed.Trim().Shorten(TriageInput.MaxMessageChars)}");
}
