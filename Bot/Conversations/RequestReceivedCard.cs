using SupportBot.Cards;
using SupportBot.Triage;

namespace SupportBot.Conversations;

// The acknowledgement a request gets until tickets land: what was asked, how urgent it looks, and, when the bot
// is unsure, its one one-click question. It can be refreshed in place.
public static class RequestReceivedCard
{
    public const string RefreshVerb = "requestStatus";
    public const string UrgencyVerb = "requestUrgency";
    const int MaxEcho = 300;

    public static AdaptiveCard Create(string requestText, string requesterId, Urgency urgency, bool ask, EmergencyPolicy policy, int checks = 0)
    {
        var text = requestText.Shorten(MaxEcho);
        var state = new RequestStatusData(requesterId, text, checks, urgency == Urgency.Emergency);
        var body = new List<CardElement>
        {
            new TextBlock("Got it") { Size = "Medium", Weight = "Bolder" },
            new TextBlock(text) { IsSubtle = true },
        };
        if (ask)
        {
            body.Add(new TextBlock(policy.ConfirmQuestion) { Weight = "Bolder" });
            body.Add(new ActionSet(
            [
                new ActionExecute("Yes, right now", UrgencyVerb, state with { Emergency = true }) { Style = "destructive" },
                new ActionExecute("No, it can wait", UrgencyVerb, state with { Emergency = false }),
            ]));
        }
        else
        {
            body.Add(new TextBlock(urgency == Urgency.Emergency
                ? "Treated as an emergency: a technician will pick this up first."
                : "Noted as a normal request. You'll see updates on this card.") { Color = urgency == Urgency.Emergency ? "Attention" : null });
        }
        if (checks > 0)
            body.Add(new TextBlock($"Checked {checks} time{(checks == 1 ? "" : "s")}. Nothing new yet.") { IsSubtle = true });

        return new AdaptiveCard
        {
            Body = body,
            Actions = ask ? null : [new ActionExecute("Check status", RefreshVerb, state)],
        };
    }
}

public sealed record RequestStatusData(string RequesterId, string Text, int Checks, bool Emergency = false);
