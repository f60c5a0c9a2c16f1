using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Storage;

namespace SupportBot.Tickets;

// Keeps the requester's ticket card true: every change is queued in the outbox as a PUT to the card they already have.
public sealed class RequesterUpdates(Outbox outbox, TicketCards cards, ILogger<RequesterUpdates> logger)
{
    // except: the card that was just answered through an invoke response (it is already up to date).
    public async Task EnqueueCardUpdateAsync(Ticket ticket, CancellationToken ct, string? except = null)
    {
        if (ticket.RequesterCard is not { } card || card.ActivityId == except) return;
        var update = Activity.CreateMessage(attachments: cards.ForRequester(ticket).ToAttachment());
        await outbox.EnqueueUpdateAsync(new PostedMessage(card.ServiceUrl, card.ConversationId, card.ActivityId), update,
            TicketOutboxKeys.CardUpdate(ticket, "requester-card", update), ct);
    }

    // Best effort: the change itself is saved, and the next change rewrites the whole card.
    public async Task UpdateCardAsync(Ticket ticket, CancellationToken ct, string? except = null)
    {
        try
        {
            await EnqueueCardUpdateAsync(ticket, ct, except);
        }
        catch (Exception ex) when (TableStorage.IsFailure(ex))
        {
            logger.LogWarning("Could not queue the update of the requester's card for ticket {Number}: {Error}", ticket.Number, ex.GetBaseException().GetType().Name);
        }
    }

    // A ticket someone else filed for them ("File as ticket"): its card arrives in their chat with the bot, and its
    // message id is kept once posted so later changes update it.
    public Task SendNewCardAsync(Ticket ticket, OutboxTarget requester, CancellationToken ct) =>
        outbox.EnqueueSendAsync(requester, Activity.CreateMessage(attachments: cards.ForRequester(ticket).ToAttachment()),
            TicketOutboxKeys.RequesterPost(ticket.Number), ct, TicketCardPosted.ForRequester(ticket.Number));
}
