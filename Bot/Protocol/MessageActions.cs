using System.Text.Json;

namespace SupportBot.Protocol;

// A message action (compose extension with context "message", from a message's "..." menu): Teams asks for a dialog
// (composeExtension/fetchTask) and then sends what was entered in it (composeExtension/submitAction).
public sealed record MessageActionValue(
    string? CommandId,
    string? CommandContext,
    JsonElement? Data,
    MessagePayload? MessagePayload);

// The message the action was started on, as Teams describes it. From.User.Id is the author's Entra (AAD) object id.
public sealed record MessagePayload(
    string? Id,
    string? ReplyToId,
    MessagePayloadFrom? From,
    MessagePayloadBody? Body,
    DateTimeOffset? CreatedDateTime,
    string? LinkToMessage,
    string? Subject);

public sealed record MessagePayloadFrom(MessagePayloadIdentity? User, MessagePayloadIdentity? Application);

public sealed record MessagePayloadIdentity(string? Id, string? DisplayName, string? UserIdentityType);

public sealed record MessagePayloadBody(string? ContentType, string? Content);

// The answer to fetchTask/submitAction: a dialog to show (continue) or a line of text to show in it (message).
public sealed record TaskModuleResponse(TaskModuleStep Task)
{
    public static TaskModuleResponse Dialog(string title, Attachment card) => new(new TaskModuleStep("continue", new TaskModuleDialog(title, card)));
    public static TaskModuleResponse Message(string text) => new(new TaskModuleStep("message", text));
}

public sealed record TaskModuleStep(string Type, object Value);

public sealed record TaskModuleDialog(string Title, Attachment Card, string Height = "large", string Width = "medium");
