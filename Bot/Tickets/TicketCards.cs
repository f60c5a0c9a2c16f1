using SupportBot.Cards;
using SupportBot.Knowledge;
using SupportBot.Triage;

namespace SupportBot.Tickets;

// Cards for tickets, with what they need to be worded right: support hours, the clock, the do-this-now article.
public sealed class TicketCards(SupportHours hours, KnowledgeBase knowledge, TimeProvider clock)
{
    const int OpenShown = 20;

    public AdaptiveCard ForRequester(Ticket ticket, string? notice = null) =>
        RequesterTicketCard.Create(ticket, hours, clock.GetUtcNow(),
            ticket.DoNowArticleId is { } id ? knowledge.Find(id) : null, notice);

    // "my tickets": open ones first, then the last few closed, each with number, title, status and age.
    public AdaptiveCard List(RequesterTickets tickets)
    {
        var now = clock.GetUtcNow();
        var body = new List<CardElement> { new TextBlock("Your tickets") { Size = "Medium", Weight = "Bolder" } };
        if (tickets.Open.Count == 0 && tickets.RecentlyClosed.Count == 0)
            body.Add(new TextBlock("You have no tickets yet. Tell me what's wrong and I'll help, or pass it to a technician."));
        if (tickets.Open.Count > 0)
        {
            body.Add(new TextBlock($"Open ({tickets.Open.Count})") { Weight = "Bolder", Spacing = "Medium" });
            body.Add(new FactSet([.. tickets.Open.Take(OpenShown).Select(t => Line(t, now))]));
            if (tickets.Open.Count > OpenShown)
                body.Add(new TextBlock($"…and {tickets.Open.Count - OpenShown} more open.") { IsSubtle = true });
        }
        if (tickets.RecentlyClosed.Count > 0)
        {
            body.Add(new TextBlock("Recently closed") { Weight = "Bolder", Spacing = "Medium" });
            body.Add(new FactSet([.. tickets.RecentlyClosed.Select(t => Line(t, now))]));
        }
        body.Add(new TextBlock("Type \"status 1042\" (with your ticket's number) to see one in full.") { IsSubtle = true, Spacing = "Medium" });
        return new AdaptiveCard { Body = body, FallbackText = $"You have {tickets.Open.Count} open tickets." };
    }

    static Fact Line(TicketSummary t, DateTimeOffset now) =>
        new($"#{t.Number}", $"{t.Title.Shorten(60)} · {(t.Urgency == Urgency.Emergency ? "Emergency · " : "")}{t.Status.InWords()} · {Age(now - t.CreatedAt)}");

    public static string Age(TimeSpan age) => age switch
    {
        { TotalMinutes: < 1 } => "just now",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min ago",
        { TotalDays: < 1 } => $"{(int)age.TotalHours} h ago",
        _ => $"{(int)age.TotalDays} d ago",
    };
}
