using System.Globalization;
using SupportBot.Proactive;

namespace SupportBot.Tickets;

// Runs once the outbox has posted one of a ticket's cards (to the technicians' channel, or to a requester someone else
// filed for): its message id goes on the ticket, so later changes update that card and replies go to its thread.
// Idempotent: the sweep may run it again after a restart.
public sealed class TicketCardPosted(ITicketStore store) : IOutboxSentHandler
{
    const string Technician = "technician";
    const string Requester = "requester";

    public string Name => "ticket-card";

    public static AfterSent ForTechnicians(int ticketNumber) => new("ticket-card", $"{Technician}:{ticketNumber.ToString(CultureInfo.InvariantCulture)}");

    public static AfterSent ForRequester(int ticketNumber) => new("ticket-card", $"{Requester}:{ticketNumber.ToString(CultureInfo.InvariantCulture)}");

    public async Task OnSentAsync(string data, PostedMessage posted, CancellationToken ct)
    {
        var (which, number) = data.Split(':') is [var w, var n] && int.TryParse(n, CultureInfo.InvariantCulture, out var parsed) ? (w, parsed) : ("", 0);
        if (posted.ActivityId.Length == 0 || number == 0) return;
        TicketCardRole? role = which switch { Technician => TicketCardRole.Technician, Requester => TicketCardRole.Requester, _ => null };
        if (role is { } card)
            await store.RememberCardAsync(number, card, new PostedCard(posted.ServiceUrl, posted.ConversationId, posted.ActivityId), ct);
    }
}
