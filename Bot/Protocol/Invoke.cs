using System.Text.Json;

namespace SupportBot.Protocol;

public sealed record InvokeResponse(int Status, object? Body = null);

public static class InvokeNames
{
    public const string AdaptiveCardAction = "adaptiveCard/action";
    public const string MessageActionFetchTask = "composeExtension/fetchTask";
    public const string MessageActionSubmit = "composeExtension/submitAction";
}

// value of an adaptiveCard/action invoke (Universal Actions).
public sealed record AdaptiveCardInvokeValue(AdaptiveCardInvokeAction? Action, string? Trigger);

public sealed record AdaptiveCardInvokeAction(string? Type, string? Id, string? Verb, JsonElement? Data)
{
    // The card's data (and its inputs) as T, or null when it does not have T's shape: card data is client input.
    public T? ReadData<T>() where T : class
    {
        try { return Data?.Deserialize<T>(ProtocolJson.Options); }
        catch (JsonException) { return null; }
    }
}

public sealed record AdaptiveCardInvokeResponse(int StatusCode, string Type, object? Value)
{
    public const string CardType = "application/vnd.microsoft.card.adaptive";
    public const string MessageType = "application/vnd.microsoft.activity.message";
    public const string ErrorType = "application/vnd.microsoft.error";

    public static AdaptiveCardInvokeResponse Card(object card) => new(200, CardType, card);
    public static AdaptiveCardInvokeResponse Message(string text) => new(200, MessageType, text);
    // Teams documents 400 (the request is wrong or not allowed) and 500 (the bot failed) for card action errors.
    public static AdaptiveCardInvokeResponse Error(int statusCode, string code, string message) =>
        new(statusCode, ErrorType, new { code, message });
}
