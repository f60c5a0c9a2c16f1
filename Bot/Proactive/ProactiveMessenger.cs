using SupportBot.Protocol;

namespace SupportBot.Proactive;

public sealed record PostedMessage(string? ServiceUrl, string ConversationId, string ActivityId);

// Messages the bot starts itself (ticket updates, polls): open a 1:1 chat from a stored reference,
// post, and keep the ids so the message can be edited in place later.
public sealed class ProactiveMessenger(ConnectorClient connector)
{
    public async Task<PostedMessage> SendToUserAsync(ConversationReference reference, Activity message, CancellationToken ct)
    {
        var user = reference.User ?? throw new ArgumentException("The reference has no user.", nameof(reference));
        var created = await connector.CreateConversationAsync(reference.ServiceUrl, new ConversationParameters
        {
            IsGroup = false,
            Bot = reference.Bot,
            Members = [new ChannelAccount { Id = user.Id }],
            TenantId = reference.TenantId,
            ChannelData = new TeamsChannelData { Tenant = new TenantInfo(reference.TenantId) },
            Activity = message with { Type = message.Type ?? ActivityTypes.Message },
        }, ct);
        var conversationId = created.Id ?? throw new InvalidOperationException("The channel did not return a conversation id.");

        // Some channels post the initial activity and return its id; otherwise send it now to get one.
        var activityId = created.ActivityId
            ?? (await connector.SendToConversationAsync(reference.ServiceUrl, conversationId, message, ct)).Id
            ?? throw new InvalidOperationException("The channel did not return a message id.");
        return new PostedMessage(reference.ServiceUrl, conversationId, activityId);
    }

    public Task UpdateAsync(PostedMessage posted, Activity replacement, CancellationToken ct) =>
        connector.UpdateActivityAsync(posted.ServiceUrl, posted.ConversationId, posted.ActivityId,
            replacement with { Type = replacement.Type ?? ActivityTypes.Message, Conversation = new ConversationAccount { Id = posted.ConversationId } }, ct);
}
