using System.Globalization;
using SupportBot.Proactive;
using SupportBot.Tickets;

namespace SupportBot.Technicians;

// Runs once the outbox has posted a ticket's card to the technicians' channel: its message id goes on the ticket, so
// later changes update it and replies go to its thread. Idempotent: the sweep may run it again after a restart.
public sealed class TechnicianCardPosted(ITicketStore store) : IOutboxSentHandler
{
    const string HandlerName = "ticket-technician-card";

    public string Name => HandlerName;

    public static AfterSent For(int ticketNumber) => new(HandlerName, ticketNumber.ToString(CultureInfo.InvariantCulture));

    public async Task OnSentAsync(string data, PostedMessage posted, CancellationToken ct)
    {
        if (posted.ActivityId.Length == 0 || !int.TryParse(data, CultureInfo.InvariantCulture, out var number)) return;
        var where = new PostedCard(posted.ServiceUrl, posted.ConversationId, posted.ActivityId);
        await store.UpdateAsync(number, t => t.TechnicianCard == where ? null : new TicketChange(t with { TechnicianCard = where }, []), ct);
    }
}
