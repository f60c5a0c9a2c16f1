using System.Text.Json;

namespace SupportBot.Protocol;

public interface IBot
{
    Task OnTurnAsync(TurnContext turn, CancellationToken ct);
}

// Routes an activity to the method for its type, like the SDK's ActivityHandler / TeamsActivityHandler.
public abstract class ActivityHandler : IBot
{
    public virtual Task OnTurnAsync(TurnContext turn, CancellationToken ct) => turn.Activity.Type switch
    {
        ActivityTypes.Message => OnMessageAsync(turn, ct),
        ActivityTypes.ConversationUpdate => OnConversationUpdateAsync(turn, ct),
        ActivityTypes.InstallationUpdate => OnInstallationUpdateAsync(turn, ct),
        ActivityTypes.MessageReaction => OnMessageReactionAsync(turn, ct),
        ActivityTypes.Invoke => OnInvokeActivityAsync(turn, ct),
        _ => Task.CompletedTask,
    };

    protected virtual Task OnMessageAsync(TurnContext turn, CancellationToken ct) =>
        turn.Activity.Value is { ValueKind: JsonValueKind.Object } && string.IsNullOrEmpty(turn.Activity.Text)
            ? OnCardSubmitAsync(turn, turn.Activity.Value.Value, ct)
            : Task.CompletedTask;

    // Action.Submit arrives as a message whose value holds the card's data and inputs.
    protected virtual Task OnCardSubmitAsync(TurnContext turn, JsonElement data, CancellationToken ct) => Task.CompletedTask;

    protected virtual Task OnConversationUpdateAsync(TurnContext turn, CancellationToken ct)
    {
        var botId = turn.Activity.Recipient?.Id;
        var added = (turn.Activity.MembersAdded ?? []).Where(m => m.Id != botId).ToList();
        var botAdded = (turn.Activity.MembersAdded ?? []).Any(m => m.Id == botId);
        if (added.Count > 0) return OnMembersAddedAsync(added, turn, ct);
        return botAdded ? OnBotAddedAsync(turn, ct) : Task.CompletedTask;
    }

    protected virtual Task OnMembersAddedAsync(IReadOnlyList<ChannelAccount> membersAdded, TurnContext turn, CancellationToken ct) => Task.CompletedTask;

    protected virtual Task OnBotAddedAsync(TurnContext turn, CancellationToken ct) => Task.CompletedTask;

    protected virtual Task OnInstallationUpdateAsync(TurnContext turn, CancellationToken ct) =>
        turn.Activity.Action?.StartsWith("add", StringComparison.OrdinalIgnoreCase) == true
            ? OnInstallationAddAsync(turn, ct)
            : Task.CompletedTask;

    protected virtual Task OnInstallationAddAsync(TurnContext turn, CancellationToken ct) => Task.CompletedTask;

    protected virtual Task OnMessageReactionAsync(TurnContext turn, CancellationToken ct) => Task.CompletedTask;

    protected virtual async Task OnInvokeActivityAsync(TurnContext turn, CancellationToken ct)
    {
        if (turn.Activity.Name is InvokeNames.MessageActionFetchTask or InvokeNames.MessageActionSubmit)
        {
            await OnMessageActionInvokeAsync(turn, ct);
            return;
        }
        if (turn.Activity.Name != InvokeNames.AdaptiveCardAction)
        {
            turn.InvokeResponse = new InvokeResponse(501);
            return;
        }

        AdaptiveCardInvokeValue? value = null;
        try
        {
            value = turn.Activity.Value?.Deserialize<AdaptiveCardInvokeValue>(ProtocolJson.Options);
        }
        catch (JsonException)
        {
            // falls through to the 400 below
        }

        var response = value?.Action is null
            ? AdaptiveCardInvokeResponse.Error(400, "BadRequest", "The card action is missing or malformed.")
            : await OnAdaptiveCardActionAsync(turn, value.Action, ct);
        turn.InvokeResponse = new InvokeResponse(200, response);
    }

    protected virtual Task<AdaptiveCardInvokeResponse> OnAdaptiveCardActionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct) =>
        Task.FromResult(AdaptiveCardInvokeResponse.Error(400, "NotSupported", "This card action is not supported."));

    async Task OnMessageActionInvokeAsync(TurnContext turn, CancellationToken ct)
    {
        MessageActionValue? value = null;
        try
        {
            value = turn.Activity.Value?.Deserialize<MessageActionValue>(ProtocolJson.Options);
        }
        catch (JsonException)
        {
            // falls through to the 400 below
        }
        if (value is null || string.IsNullOrEmpty(value.CommandId))
        {
            turn.InvokeResponse = new InvokeResponse(400);
            return;
        }
        var response = turn.Activity.Name == InvokeNames.MessageActionFetchTask
            ? await OnMessageActionFetchTaskAsync(turn, value, ct)
            : await OnMessageActionSubmitAsync(turn, value, ct);
        turn.InvokeResponse = response is null ? new InvokeResponse(501) : new InvokeResponse(200, response);
    }

    protected virtual Task<TaskModuleResponse?> OnMessageActionFetchTaskAsync(TurnContext turn, MessageActionValue action, CancellationToken ct) =>
        Task.FromResult<TaskModuleResponse?>(null);

    protected virtual Task<TaskModuleResponse?> OnMessageActionSubmitAsync(TurnContext turn, MessageActionValue action, CancellationToken ct) =>
        Task.FromResult<TaskModuleResponse?>(null);
}
