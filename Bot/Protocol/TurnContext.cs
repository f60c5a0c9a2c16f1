namespace SupportBot.Protocol;

// One incoming activity and the means to answer it, as in the Bot Framework SDK.
public sealed class TurnContext(Activity activity, ConnectorClient connector, CancellationToken cancellation = default)
{
    public Activity Activity { get; } = activity;
    public ConnectorClient Connector { get; } = connector;

    // The token OnTurnAsync receives: cancelled when the turn passes its deadline (Messaging:TurnDeadline),
    // not when the caller hangs up.
    public CancellationToken Cancellation { get; } = cancellation;

    // Set by invoke handlers; written to the HTTP response, since Teams reads an invoke's answer from it.
    public InvokeResponse? InvokeResponse { get; set; }

    public Task<ResourceResponse> SendActivityAsync(string text, CancellationToken ct) =>
        SendActivityAsync(Activity.CreateMessage(text), ct);

    public Task<ResourceResponse> SendActivityAsync(Activity reply, CancellationToken ct)
    {
        var outgoing = ApplyConversation(reply);
        var conversationId = RequireConversationId();
        return string.IsNullOrEmpty(Activity.Id)
            ? Connector.SendToConversationAsync(Activity.ServiceUrl, conversationId, outgoing, ct)
            : Connector.ReplyToActivityAsync(Activity.ServiceUrl, conversationId, Activity.Id, outgoing with { ReplyToId = Activity.Id }, ct);
    }

    public Task<ResourceResponse> UpdateActivityAsync(string activityId, Activity replacement, CancellationToken ct) =>
        Connector.UpdateActivityAsync(Activity.ServiceUrl, RequireConversationId(), activityId, ApplyConversation(replacement), ct);

    public Task DeleteActivityAsync(string activityId, CancellationToken ct) =>
        Connector.DeleteActivityAsync(Activity.ServiceUrl, RequireConversationId(), activityId, ct);

    public Task<TeamsChannelAccount?> GetMemberAsync(string userId, CancellationToken ct) =>
        Connector.GetMemberAsync(Activity.ServiceUrl, RequireConversationId(), userId, ct);

    Activity ApplyConversation(Activity reply) => reply with
    {
        Type = reply.Type ?? ActivityTypes.Message,
        ChannelId = Activity.ChannelId,
        ServiceUrl = Activity.ServiceUrl,
        Conversation = Activity.Conversation,
        From = Activity.Recipient,
        Recipient = Activity.From,
        Locale = reply.Locale ?? Activity.Locale,
    };

    string RequireConversationId() => Activity.Conversation?.Id
        ?? throw new InvalidOperationException("The activity has no conversation id.");
}
