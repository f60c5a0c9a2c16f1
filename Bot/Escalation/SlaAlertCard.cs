using SupportBot.Cards;
using SupportBot.Protocol;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Escalation;

// The reply the SLA watch posts in a ticket's channel thread: what is late or nearly late, in one line, and for an
// emergency nobody picked up, whoever is on call, mentioned.
public static class SlaAlertCard
{
    public static AdaptiveCard Create(Ticket t, SlaAlert alert, SlaStatus status, SupportHours hours, DateTimeOffset now, IReadOnlyList<ChannelAccount> onCall)
    {
        var headline = Headline(t, alert, hours, now);
        var body = new List<CardElement>
        {
            new TextBlock(headline) { Weight = "Bolder", Color = alert.State == SlaState.Breached ? "Attention" : "Warning" },
            new TextBlock("Target: " + status.Text) { Spacing = "Small" },
        };
        var calls = alert.CallsOnCall(t);
        if (calls)
            body.Add(new TextBlock(onCall.Count > 0
                ? "On call: " + TechnicianCard.OnCallText(onCall)
                : "Nobody is on call to mention. " + TechnicianCommands.HowToSetOnCall) { Weight = "Bolder" });
        return new AdaptiveCard
        {
            Body = body,
            MsTeams = calls ? TechnicianCard.MentionsOf(onCall) : null,
            FallbackText = headline,
        };
    }

    static string Headline(Ticket t, SlaAlert alert, SupportHours hours, DateTimeOffset now)
    {
        var ticket = $"{(t.Urgency == Urgency.Emergency ? "EMERGENCY " : "")}ticket #{t.Number} {t.Title.Shorten(80)}";
        var due = hours.LocalTime(alert.DueAt, now);
        var who = t.Assignee?.Name is { } name ? $" ({name})" : " (unassigned)";
        return (alert.Target, alert.State) switch
        {
            _ when alert.CallsOnCall(t) => $"⏰ Still unassigned after {Sla.Span(now - t.CreatedAt)}: {ticket}",
            (SlaTargetKind.FirstResponse, SlaState.DueSoon) => $"⏳ Due soon: {ticket} needs a first reply by {due}{who}",
            (SlaTargetKind.FirstResponse, _) => $"⏰ Overdue: {ticket} has had no first reply; it was due by {due}{who}",
            (SlaTargetKind.Resolution, SlaState.DueSoon) => $"⏳ Due soon: {ticket} should be resolved by {due}{who}",
            _ => $"⏰ Overdue: {ticket} was due to be resolved by {due}{who}",
        };
    }
}
