using SupportBot.Cards;
using SupportBot.Triage;

namespace SupportBot.Conversations;

public static class IntakeVerbs
{
    public const string Urgency = "request.urgency";
    public const string Retry = "request.retry";
}

// The one-click question names the pending request only; the answer is the only other thing it carries.
public sealed record UrgencyAnswerData(string Request, bool Emergency);

// "Try again" after storage failed: the one card that must carry what was typed, because nothing could be saved.
// The text is re-triaged as new input; the original activity id keeps the retry to one ticket.
public sealed record RetryData(string Text, string ActivityId);

public static class IntakeCards
{
    const int Echo = 300;
    const int RetryCarried = 4_000;

    public static AdaptiveCard UrgencyQuestion(string requestKey, string text, EmergencyPolicy policy) => new()
    {
        Body =
        [
            new TextBlock("Before I pass this on") { Size = "Medium", Weight = "Bolder" },
            new TextBlock(text.Shorten(Echo)) { IsSubtle = true },
            new TextBlock(policy.ConfirmQuestion) { Weight = "Bolder" },
        ],
        Actions =
        [
            new ActionExecute("Yes, right now", IntakeVerbs.Urgency, new UrgencyAnswerData(requestKey, true)) { Style = "destructive" },
            new ActionExecute("No, it can wait", IntakeVerbs.Urgency, new UrgencyAnswerData(requestKey, false)),
        ],
        FallbackText = policy.ConfirmQuestion,
    };

    public static AdaptiveCard NotSavedYet(string? typed, string activityId)
    {
        var text = (typed ?? "").Trim();
        var body = new List<CardElement>
        {
            new TextBlock("Not saved yet") { Size = "Medium", Weight = "Bolder", Color = "Warning" },
            new TextBlock("Sorry, I couldn't save your request just now, so no ticket exists yet. Press Try again in a minute; nothing you typed is lost."),
        };
        if (text.Length > 0)
            body.Add(new TextBlock("You wrote: " + text.Shorten(600)) { IsSubtle = true });
        return new AdaptiveCard
        {
            Body = body,
            Actions = text.Length == 0 ? null : [new ActionExecute("Try again", IntakeVerbs.Retry, new RetryData(text.Shorten(RetryCarried), activityId)) { Style = "positive" }],
            FallbackText = "Sorry, I couldn't save your request just now. Please try again in a minute.",
        };
    }
}
