using System.Globalization;
using SupportBot.Proactive;

namespace SupportBot.Tickets;

// Runs once the outbox has posted a ticket's card to its requester (a ticket filed for them from their message): the
// message id goes on the ticket, so later changes update that card. Idempotent: the sweep may run it again.
public sealed class RequesterCardPosted(ITicketStore store) : IOutboxSentHandler
{
    const string HandlerName = "ticket-requester-card";

    public string Name => HandlerName;

    public static AfterSent For(int ticketNumber) => new(HandlerName, ticketNumber.ToString(CultureInfo.InvariantCulture));

    public async Task OnSentAsync(string data, PostedMessage posted, CancellationToken ct)
    {
        if (posted.ActivityId.Length == 0 || !int.TryParse(data, CultureInfo.InvariantCulture, out var number)) return;
        var where = new PostedCard(posted.ServiceUrl, posted.ConversationId, posted.ActivityId);
        await store.UpdateAsync(number, t => t.RequesterCard == where ? null : new TicketChange(t with { RequesterCard = where }, []), ct);
    }
}
