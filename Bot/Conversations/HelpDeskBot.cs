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

        var requester = turn.Activity.From!.Id!;
        var result = triage.Triage(text);
        if (result is { Urgency: Urgency.Normal, Confirm: false } && knowledge.Search(text) is { Count: > 0 } hits)
        {
            // Not urgent and something in the knowledge base fits: offer the fix before anything is filed.
            var suggestionId = turn.Activity.Id ?? Guid.NewGuid().ToString("N");
            var articles = hits.Select(h => h.Article).ToList();
            await turn.SendActivityAsync(Activity.CreateMessage(attachments: KnowledgeCards.Suggestions(articles, requester, suggestionId, text).ToAttachment()), ct);
            await feedback.RecordViewsAsync(articles.Select(a => a.Id), ct);
            return;
        }

        var card = RequestReceivedCard.Create(text, requester, result.Urgency, ask: result.Confirm, Policy);
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: card.ToAttachment()), ct);
    }

    protected override Task OnCardSubmitAsync(TurnContext turn, JsonElement data, CancellationToken ct) =>
        data.TryGetProperty("command", out var command) && command.GetString() == "help"
            ? turn.SendActivityAsync(WelcomeCards.Help(Policy), ct)
            : Task.CompletedTask;

    protected override Task<AdaptiveCardInvokeResponse> OnAdaptiveCardActionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct) =>
        action.Verb switch
        {
            RequestReceivedCard.RefreshVerb => ForRequester<RequestStatusData>(turn, action, d => d.RequesterId, (d, _) =>
                Task.FromResult(RequestReceivedCard.Create(d.Text, d.RequesterId, UrgencyOf(d), ask: false, Policy, d.Checks + 1)), ct),
            RequestReceivedCard.UrgencyVerb => ForRequester<RequestStatusData>(turn, action, d => d.RequesterId, (d, _) =>
                Task.FromResult(RequestReceivedCard.Create(d.Text, d.RequesterId, UrgencyOf(d), ask: false, Policy)), ct),
            KnowledgeVerbs.Fixed => ForRequester<ArticleVoteData>(turn, action, d => d.RequesterId, ArticleFixedItAsync, ct),
            KnowledgeVerbs.StillNeedHelp => ForRequester<ArticleVoteData>(turn, action, d => d.RequesterId, StillNeedHelpAsync, ct),
            _ => Task.FromResult(AdaptiveCardInvokeResponse.Error(400, "UnknownAction", "This button is no longer supported.")),
        };

    async Task<Cards.AdaptiveCard> ArticleFixedItAsync(ArticleVoteData vote, CancellationToken ct)
    {
        var article = vote.ArticleId is null ? null : knowledge.Find(vote.ArticleId);
        if (article is null || !vote.ArticleIds.Contains(article.Id))
            throw new CardDataException("That article is no longer available.");
        // One vote per suggestion card: a double click or a replayed invoke counts once.
        await feedback.RecordVoteAsync(article.Id, fixedIt: true, vote.SuggestionId, ct);
        return KnowledgeCards.FixedIt(article);
    }

    async Task<Cards.AdaptiveCard> StillNeedHelpAsync(ArticleVoteData vote, CancellationToken ct)
    {
        foreach (var id in vote.ArticleIds.Where(id => knowledge.Find(id) is not null).Distinct().Take(3))
            await feedback.RecordVoteAsync(id, fixedIt: false, vote.SuggestionId, ct);
        var result = triage.Triage(vote.Request);
        return RequestReceivedCard.Create(vote.Request, vote.RequesterId, result.Urgency, ask: false, Policy);
    }

    // Card data comes from the client: it is user input, and only the person who asked may act on their request.
    static async Task<AdaptiveCardInvokeResponse> ForRequester<T>(
        TurnContext turn, AdaptiveCardInvokeAction action, Func<T, string?> requesterOf,
        Func<T, CancellationToken, Task<Cards.AdaptiveCard>> handle, CancellationToken ct) where T : class
    {
        T? data;
        try { data = action.Data?.Deserialize<T>(ProtocolJson.Options); }
        catch (JsonException) { data = null; }
        if (data is null || string.IsNullOrEmpty(requesterOf(data)))
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", "The card's data is incomplete.");
        if (requesterOf(data) != turn.Activity.From?.Id)
            return AdaptiveCardInvokeResponse.Error(403, "Forbidden", "Only the person who made this request can do that.");
        try
        {
            return AdaptiveCardInvokeResponse.Card(await handle(data, ct));
        }
        catch (CardDataException ex)
        {
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", ex.Message);
        }
    }

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
        (string.IsNullOrWhiteSpace(typed) ? "" : $" Here is what you wrote, so you can send it again:\n\n> {typed.Trim()}");

    sealed class CardDataException(string message) : Exception(message);
}
