using SupportBot.Cards;

namespace SupportBot.Conversations;

// Placeholder acknowledgement until triage and tickets land: shows the request and can be refreshed in place.
public static class RequestReceivedCard
{
    public const string RefreshVerb = "requestStatus";
    const int MaxEcho = 300;

    public static AdaptiveCard Create(string requestText, string requesterId, int checks = 0) => new()
    {
        Body =
        [
            new TextBlock("Got it") { Size = "Medium", Weight = "Bolder" },
            new TextBlock(Shorten(requestText)) { IsSubtle = true },
            new TextBlock(checks == 0
                ? "I've noted your request. You'll see updates on this card."
                : $"Still with us - checked {checks} time{(checks == 1 ? "" : "s")}. Nothing new yet."),
        ],
        Actions = [new ActionExecute("Check status", RefreshVerb, new RequestStatusData(requesterId, requestText.Length > MaxEcho ? Shorten(requestText) : requestText, checks))],
    };

    static string Shorten(string text) => text.Length <= MaxEcho ? text : text[..MaxEcho] + "...";
}

public sealed record RequestStatusData(string RequesterId, string Text, int Checks);
