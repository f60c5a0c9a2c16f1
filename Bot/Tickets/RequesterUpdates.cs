using SupportBot.Proactive;
using SupportBot.Protocol;

namespace SupportBot.Tickets;

// Keeps the requester's ticket card true: every change is PUT to the card they already have.
// A failed update is logged, not thrown: the change itself is saved, and the next change rewrites the whole card.
public sealed class RequesterUpdates(ProactiveMessenger proactive, Outbox outbox, TicketCards cards, ILogger<RequesterUpdates> logger)
{
    // except: the card that was just answered through an invoke response (it is already up to date).
    public async Task UpdateCardAsync(Ticket ticket, CancellationToken ct, string? except = null)
    {
        if (ticket.RequesterCard is not { } card || card.ActivityId == except) return;
        try
        {
            await proactive.UpdateAsync(new PostedMessage(card.ServiceUrl, card.ConversationId, card.ActivityId),
                Activity.CreateMessage(attachments: cards.ForRequester(ticket).ToAttachment()), ct);
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException or OperationCanceledException)
        {
            logger.LogWarning("Could not update the requester's card for ticket {Number}: {Error}", ticket.Number, ex.GetType().Name);
        }
    }

    // A ticket someone else filed for them ("File as ticket"): its card arrives in their chat with the bot.
    public Task SendNewCardAsync(Ticket ticket, OutboxTarget requester, CancellationToken ct) =>
        outbox.EnqueueSendAsync(requester, Activity.CreateMessage(attachments: cards.ForRequester(ticket).ToAttachment()), $"ticket-{ticket.Number}-requester-card", ct);
}
