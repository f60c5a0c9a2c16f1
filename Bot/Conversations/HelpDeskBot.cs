using System.Text.Json;
using Azure;
using Microsoft.Extensions.Options;
using SupportBot.Triage;
using SupportBot.Protocol;
using SupportBot.Proactive;

namespace SupportBot.Conversations;

// The conversation a user has with the help desk. Reads top to bottom like the chat itself.
public sealed class HelpDeskBot(
    ConversationReferenceStore references,
    ProactiveMessenger proactive,
    IOptions<EmergencyPolicy> emergencyPolicy,
    ILogger<HelpDeskBot> logger) : ActivityHandler
{
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
        }
    }

    // The Azure SDK throws RequestFailedException, or an AggregateException of them once its retries run out.
    static bool IsStorageFailure(Exception ex) =>
        ex is RequestFailedException || (ex is AggregateException agg && agg.InnerExceptions.All(e => e is RequestFailedException));

    static string StorageTrouble(string? typed) =>
        "Sorry, I couldn't save that just now. Please try again in a minute." +
        (string.IsNullOrWhiteSpace(typed) ? "" : $" Here is what you wrote, so you can send it again:\n\n> {typed.Trim()}");

    protected override async Task OnInstallationAddAsync(TurnContext turn, CancellationToken ct)
    {
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: WelcomeCards.Welcome(turn.Activity.From?.Name, emergencyPolicy.Value).ToAttachment()), ct);
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
                await turn.SendActivityAsync(WelcomeCards.Help(emergencyPolicy.Value), ct);
                return;
            case "notify me":
                await SendTestNotificationAsync(turn, ct);
                return;
        }

        var requester = turn.Activity.From!.Id!;
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: RequestReceivedCard.Create(text, requester).ToAttachment()), ct);
    }

    protected override Task OnCardSubmitAsync(TurnContext turn, JsonElement data, CancellationToken ct) =>
        data.TryGetProperty("command", out var command) && command.GetString() == "help"
            ? turn.SendActivityAsync(WelcomeCards.Help(emergencyPolicy.Value), ct)
            : Task.CompletedTask;

    protected override Task<AdaptiveCardInvokeResponse> OnAdaptiveCardActionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        if (action.Verb != RequestReceivedCard.RefreshVerb || action.Data is not { } raw)
            return Task.FromResult(AdaptiveCardInvokeResponse.Error(400, "UnknownAction", "This button is no longer supported."));

        RequestStatusData? data;
        try { data = raw.Deserialize<RequestStatusData>(ProtocolJson.Options); }
        catch (JsonException) { data = null; }
        if (data is null || string.IsNullOrEmpty(data.RequesterId))
            return Task.FromResult(AdaptiveCardInvokeResponse.Error(400, "BadRequest", "The card's data is incomplete."));

        // Card data comes from the client: only the person who asked may act on their request.
        if (data.RequesterId != turn.Activity.From?.Id)
            return Task.FromResult(AdaptiveCardInvokeResponse.Error(403, "Forbidden", "Only the person who made this request can do that."));

        return Task.FromResult(AdaptiveCardInvokeResponse.Card(RequestReceivedCard.Create(data.Text, data.RequesterId, data.Checks + 1)));
    }

    async Task SendTestNotificationAsync(TurnContext turn, CancellationToken ct)
    {
        var reference = turn.Activity.GetConversationReference();
        await references.SaveAsync(reference, ct);
        var posted = await proactive.SendToUserAsync(reference, Activity.CreateMessage("Test notification: sending..."), ct);
        await proactive.UpdateAsync(posted, Activity.CreateMessage("Test notification: delivered. You'll get ticket updates like this."), ct);
    }
}
