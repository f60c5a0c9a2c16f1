using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Storage;

namespace SupportBot.Tickets;

// Keeps the requester's ticket card true: every change is queued in the outbox as a PUT to the card they already have.
public sealed class RequesterUpdates(Outbox outbox, TicketCards cards, ITicketStore store, StorageFollowUps followUps, ILogger<RequesterUpdates> logger)
{
    // except: the card that was just answered through an invoke response (it is already up to date).
    public async Task EnqueueCardUpdateAsync(Ticket ticket, CancellationToken ct, string? except = null)
    {
        if (ticket.RequesterCard is not { } card || card.ActivityId == except) return;
        var update = Activity.CreateMessage(attachments: cards.ForRequester(ticket).ToAttachment());
        await outbox.EnqueueUpdateAsync(new PostedMessage(card.ServiceUrl, card.ConversationId, card.ActivityId), update,
            TicketOutboxKeys.CardUpdate(ticket, "requester-card", update), ct, TicketOutboxKeys.CardVersion(ticket));
    }

    // The change itself is saved; the card follows once storage is back (the ticket read again then, so the card shows
    // its latest state). A resolution is often the last change, so "the next change rewrites it" is not enough (soak:
    // resolved tickets whose card still said "Waiting for you").
    public async Task UpdateCardAsync(Ticket ticket, CancellationToken ct, string? except = null)
    {
        try
        {
            await EnqueueCardUpdateAsync(ticket, ct, except);
        }
        catch (Exception ex) when (TableStorage.IsFailure(ex))
        {
            logger.LogWarning("Could not queue the update of the requester's card for ticket {Number} ({Error}); trying again", ticket.Number, ex.GetBaseException().GetType().Name);
            followUps.Retry($"the requester's card of ticket {ticket.Number}", async stop =>
            {
                if (await store.GetAsync(ticket.Number, stop) is { } latest)
                    await EnqueueCardUpdateAsync(latest, stop, except);
                return true;
            });
        }
    }

    // A ticket someone else filed for them ("File as ticket"): its card arrives in their chat with the bot, and its
    // message id is kept once posted so later changes update it.
    public Task SendNewCardAsync(Ticket ticket, OutboxTarget requester, CancellationToken ct) =>
        outbox.EnqueueSendAsync(requester, Activity.CreateMessage(attachments: cards.ForRequester(ticket).ToAttachment()),
            TicketOutboxKeys.RequesterPost(ticket.Number), ct, TicketCardPosted.ForRequester(ticket.Number));
}
