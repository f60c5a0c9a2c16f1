using System.Text.Json;
using System.Text.Json.Serialization;

namespace SupportBot.Protocol;

public static class ActivityTypes
{
    public const string Message = "message";
    public const string ConversationUpdate = "conversationUpdate";
    public const string InstallationUpdate = "installationUpdate";
    public const string Invoke = "invoke";
    public const string MessageReaction = "messageReaction";
    public const string Typing = "typing";
}

// The Bot Framework Activity schema. Unknown properties land in Properties and are written back unchanged (a settable
// property: System.Text.Json's source generator cannot fill an init-only extension-data property).
public sealed partial record Activity
{
    public string? Type { get; init; }
    public string? Id { get; init; }
    public DateTimeOffset? Timestamp { get; init; }
    public DateTimeOffset? LocalTimestamp { get; init; }
    public string? LocalTimezone { get; init; }
    public string? ServiceUrl { get; init; }
    public string? ChannelId { get; init; }
    public ChannelAccount? From { get; init; }
    public ConversationAccount? Conversation { get; init; }
    public ChannelAccount? Recipient { get; init; }
    public string? TextFormat { get; init; }
    public string? AttachmentLayout { get; init; }
    public IReadOnlyList<ChannelAccount>? MembersAdded { get; init; }
    public IReadOnlyList<ChannelAccount>? MembersRemoved { get; init; }
    public IReadOnlyList<MessageReaction>? ReactionsAdded { get; init; }
    public IReadOnlyList<MessageReaction>? ReactionsRemoved { get; init; }
    public string? Locale { get; init; }
    public string? Text { get; init; }
    public string? Summary { get; init; }
    public IReadOnlyList<Attachment>? Attachments { get; init; }
    public IReadOnlyList<Entity>? Entities { get; init; }
    public TeamsChannelData? ChannelData { get; init; }
    public string? Action { get; init; }
    public string? ReplyToId { get; init; }
    public string? Name { get; init; }
    public JsonElement? Value { get; init; }
    public string? ValueType { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }

    public static Activity CreateMessage(string? text = null, params Attachment[] attachments) => new()
    {
        Type = ActivityTypes.Message,
        Text = text,
        Attachments = attachments.Length == 0 ? null : attachments,
    };

    public ConversationReference GetConversationReference() => new(
        ActivityId: Id,
        User: From,
        Bot: Recipient,
        Conversation: Conversation,
        ChannelId: ChannelId,
        ServiceUrl: ServiceUrl,
        Locale: Locale,
        TenantId: ChannelData?.Tenant?.Id ?? Conversation?.TenantId);

    public IEnumerable<Mention> GetMentions() =>
        (Entities ?? []).Where(e => e?.Type == "mention").Select(e => e.As<Mention>()).OfType<Mention>();

    // The text with every <at>...</at> mention removed (Teams puts "<at>SupportBot</at>" in channel messages),
    // as the SDK's RemoveRecipientMention does, so triage and commands see only what the person wrote.
    public string GetTextWithoutMentions()
    {
        var text = Text ?? "";
        foreach (var mention in GetMentions())
            if (!string.IsNullOrEmpty(mention.Text))
                text = text.Replace(mention.Text, " ", StringComparison.OrdinalIgnoreCase);
        return AtTag().Replace(text, " ").Trim();
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"<at\b[^>]*>.*?</at>", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.Singleline)]
    private static partial System.Text.RegularExpressions.Regex AtTag();
}

public sealed record ChannelAccount
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? AadObjectId { get; init; }
    public string? Role { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed record ConversationAccount
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public bool? IsGroup { get; init; }
    public string? ConversationType { get; init; }
    public string? TenantId { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed record MessageReaction(string? Type);

public sealed record Attachment
{
    public string? ContentType { get; init; }
    public string? ContentUrl { get; init; }
    // object so outbound cards serialize by their runtime type; inbound content arrives as JsonElement.
    public object? Content { get; init; }
    public string? Name { get; init; }
    public string? ThumbnailUrl { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed record Entity
{
    public string? Type { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }

    // null when the entity does not have T's shape (entities are client input).
    public T? As<T>() where T : class
    {
        try { return JsonSerializer.SerializeToElement(this, ProtocolJson.Options).Deserialize<T>(ProtocolJson.Options); }
        catch (JsonException) { return null; }
    }
}

public sealed record Mention(ChannelAccount? Mentioned, string? Text, string Type = "mention");

public sealed record TeamsChannelData
{
    public TenantInfo? Tenant { get; init; }
    public TeamInfo? Team { get; init; }
    public ChannelInfo? Channel { get; init; }
    public string? EventType { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed record TenantInfo(string? Id);

public sealed record TeamInfo
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? AadGroupId { get; init; }
}

public sealed record ChannelInfo
{
    public string? Id { get; init; }
    public string? Name { get; init; }
}

// What the bot must keep to message a conversation later (proactive messages).
public sealed record ConversationReference(
    string? ActivityId,
    ChannelAccount? User,
    ChannelAccount? Bot,
    ConversationAccount? Conversation,
    string? ChannelId,
    string? ServiceUrl,
    string? Locale,
    string? TenantId);

public sealed record ResourceResponse(string? Id);

public sealed record ConversationResourceResponse(string? Id, string? ActivityId, string? ServiceUrl);

public sealed record ConversationParameters
{
    public bool? IsGroup { get; init; }
    public ChannelAccount? Bot { get; init; }
    public IReadOnlyList<ChannelAccount>? Members { get; init; }
    public string? TopicName { get; init; }
    public string? TenantId { get; init; }
    public Activity? Activity { get; init; }
    public TeamsChannelData? ChannelData { get; init; }
}

public sealed record TeamsChannelAccount
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? AadObjectId { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string? Email { get; init; }
    public string? UserPrincipalName { get; init; }
    public string? TenantId { get; init; }
    public string? UserRole { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Properties { get; set; }
}

public sealed record PagedMembersResult(string? ContinuationToken, IReadOnlyList<TeamsChannelAccount>? Members);

public static class ProtocolJson
{
    // The wire types' metadata is generated at build time (no reflection on the hot path, less JIT at start-up);
    // anything else (a card's runtime type in Attachment.Content, a command's output) falls back to reflection.
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(
            ProtocolJsonContext.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
    };
}

// Metadata only: the generated fast-path writers would resolve nested members (a card in Attachment.Content, typed
// object) through this context alone, which does not know the card types.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(Activity))]
[JsonSerializable(typeof(ResourceResponse))]
[JsonSerializable(typeof(ConversationResourceResponse))]
[JsonSerializable(typeof(ConversationParameters))]
[JsonSerializable(typeof(ConversationReference))]
[JsonSerializable(typeof(TeamsChannelAccount))]
[JsonSerializable(typeof(PagedMembersResult))]
[JsonSerializable(typeof(Mention))]
[JsonSerializable(typeof(AdaptiveCardInvokeValue))]
[JsonSerializable(typeof(AdaptiveCardInvokeResponse))]
[JsonSerializable(typeof(TaskModuleResponse))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
