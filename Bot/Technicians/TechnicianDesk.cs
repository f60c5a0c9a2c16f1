using System.Text.Json;
using Microsoft.Extensions.Options;
using SupportBot.Cards;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Storage;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Technicians;

// The technicians' side of a ticket: its card in their channel, the actions on it, and what the requester hears.
public sealed class TechnicianDesk(
    TicketDesk desk,
    ITicketStore store,
    TechnicianChannel channel,
    TechnicianDirectory technicians,
    RequesterUpdates requesterUpdates,
    Outbox outbox,
    SupportHours hours,
    TimeProvider clock,
    Knowledge.PublishedArticleStore articles,
    Knowledge.KnowledgeBase knowledge,
    Surveys.PollSender polls,
    ILogger<TechnicianDesk> logger)
{
    public static readonly AdaptiveCardInvokeResponse NotATechnician = AdaptiveCardInvokeResponse.Error(400, "Forbidden",
        "Sorry, only technicians can do that, so nothing was changed. If you should be one, ask your IT lead to add you.");

    // A new ticket goes to the technicians' channel as a new thread; an emergency mentions whoever is on call. Queued in
    // the outbox; once it is sent, TicketCardPosted stores its message id on the ticket.
    // Best effort: the ticket is filed whatever happens here, and the failure is logged. False: could not be queued.
    public async Task<bool> PostNewTicketAsync(Ticket ticket, string? serviceUrl, CancellationToken ct)
    {
        try
        {
            if (await channel.FindAsync(ct) is not { } address) return true;
            var url = address.ServiceUrl ?? serviceUrl;
            var onCall = ticket.Urgency == Urgency.Emergency
                ? await technicians.OnCallAsync(url, ct)
                : [];
            var card = TechnicianCard.Create(ticket, hours, clock.GetUtcNow(), withActions: false, await technicians.CardUserIdsAsync(url, ct), onCall);
            await outbox.EnqueueSendAsync(new OutboxTarget(url, address.ChannelId), Activity.CreateMessage(attachments: card.ToAttachment()),
                TicketOutboxKeys.ChannelPost(ticket.Number), ct, TicketCardPosted.ForTechnicians(ticket.Number));
            return true;
        }
        catch (Exception ex) when (IsPassOnFailure(ex))
        {
            logger.LogWarning("Could not queue ticket {Number} for the technicians' channel: {Error}", ticket.Number, ex.GetBaseException().GetType().Name);
            return false;
        }
    }

    public async Task<AdaptiveCardInvokeResponse> ActAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        if (action.ReadData<TechnicianActionData>() is not { Ticket: > 0 } data)
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", "This card's data is incomplete or out of date.");
        var isTechnician = await technicians.IsTechnicianAsync(turn.Activity.From, turn.Activity.ServiceUrl, ct);
        if (action.Verb == TechnicianVerbs.Refresh)
        {
            // Anyone in the technicians' channel may see its read-only card; nobody else may read tickets this way.
            if (!isTechnician && !await InTechnicianChannelAsync(turn, ct))
                return AdaptiveCardInvokeResponse.Error(400, "NotAvailable", "This card is only available in the technicians' channel.");
            var current = await store.GetAsync(data.Ticket, ct);
            return current is null
                ? AdaptiveCardInvokeResponse.Error(400, "NotFound", "This ticket no longer exists.")
                : AdaptiveCardInvokeResponse.Card(await CardAsync(current, isTechnician, turn.Activity.ServiceUrl, ct));
        }
        if (!isTechnician) return NotATechnician;
        if (action.Verb is TechnicianVerbs.DraftArticle or TechnicianVerbs.PublishArticle)
            return await ArticleAsync(action.Verb, data, turn.Activity.From!.Id!, ct);

        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        var changeId = $"{turn.Activity.Conversation?.Id}|{by.TeamsId}|{turn.Activity.Id}";
        var result = action.Verb switch
        {
            TechnicianVerbs.AssignToMe => await desk.AssignAsync(data.Ticket, by, by, ct, changeId),
            TechnicianVerbs.InProgress => await desk.SetStatusAsync(data.Ticket, by, TicketStatus.InProgress, ct, changeId),
            TechnicianVerbs.Waiting => await desk.AskRequesterAsync(data.Ticket, by, data.Note, ct, changeId),
            TechnicianVerbs.NoteToRequester => await desk.NoteAsync(data.Ticket, by, data.Note, forRequester: true, ct, changeId),
            TechnicianVerbs.InternalNote => await desk.NoteAsync(data.Ticket, by, data.Note, forRequester: false, ct, changeId),
            TechnicianVerbs.Resolve => await desk.ResolveAsync(data.Ticket, by, data.Resolution, ct, changeId),
            TechnicianVerbs.Reopen => await desk.ReopenAsTechnicianAsync(data.Ticket, by, ct, changeId),
            TechnicianVerbs.AssignTo => await AssignToAsync(data, by, turn.Activity.ServiceUrl, changeId, ct),
            TechnicianVerbs.Flags => await desk.SetFlagsAsync(data.Ticket, by, data.Budget == "true", data.Approval == "true", data.FlagReason, ct, changeId),
            _ => new ChangeResult(ChangeOutcome.NotAllowed, Message: "This button is no longer supported."),
        };
        if (result.Ticket is not { } ticket)
            return AdaptiveCardInvokeResponse.Error(400, "NotDone", result.Message ?? "That couldn't be done.");
        // A redelivered press (AlreadyDone) queues again: the keys make that a no-op, or finish what a crash cut short.
        var message = result.Message;
        if (result.Outcome is ChangeOutcome.Done or ChangeOutcome.AlreadyDone && !await AfterChangeAsync(ticket, action.Verb!, by, changeId, ct))
            message = (message is null ? "" : message + " ") + NotPassedOn;
        else if (result.Outcome == ChangeOutcome.NotAllowed && LastChangeBy(ticket, action.Verb!, by) is { } earlier)
        {
            // Pressed again after "couldn't pass this on": the ticket is already where this press would put it, by this
            // technician's own last change. Pass that change on now, under its own keys, so nothing is announced twice.
            message = await AfterChangeAsync(ticket, action.Verb!, by, earlier, ct) ? null : NotPassedOn;
        }
        if (data.FromQueue)
        {
            // Pressed on the queue card: it stays the queue, now showing the assignment.
            var queue = QueueCard.Create("Open tickets", await store.ListOpenAsync(ct), hours, clock.GetUtcNow());
            return AdaptiveCardInvokeResponse.Card(message is null ? queue : queue with { Body = [new TextBlock(message) { Color = "Warning", Wrap = true }, .. queue.Body] });
        }
        var card = await CardAsync(ticket, withActions: true, turn.Activity.ServiceUrl, ct);
        return AdaptiveCardInvokeResponse.Card(message is null ? card : card with { Body = [new TextBlock(message) { Color = "Warning", Weight = "Bolder", Wrap = true }, .. card.Body] });
    }

    async Task<bool> InTechnicianChannelAsync(TurnContext turn, CancellationToken ct) =>
        await channel.FindAsync(ct) is { } address && turn.Activity.Conversation?.Id is { } conversation
        && (conversation == address.ChannelId || conversation.StartsWith(address.ChannelId + ";", StringComparison.Ordinal));

    // Drafted from the problem and the resolution, edited by the technician, published through the knowledge base's
    // own path so it is searchable at once on every instance.
    async Task<AdaptiveCardInvokeResponse> ArticleAsync(string verb, TechnicianActionData data, string technicianId, CancellationToken ct)
    {
        if (await store.GetAsync(data.Ticket, ct) is not { Status: TicketStatus.Resolved or TicketStatus.Closed } ticket)
            return AdaptiveCardInvokeResponse.Error(400, "NotResolved", "Only a resolved ticket can become an article.");
        var resolution = ticket.History.LastOrDefault(e => e.Kind == TicketEventKind.Resolved)?.Text ?? "";
        if (verb == TechnicianVerbs.DraftArticle)
            return AdaptiveCardInvokeResponse.Card(ArticleDraftCard.Create(ticket, ticket.Title, resolution));
        if (string.IsNullOrWhiteSpace(data.ArticleSteps))
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", "Write at least one step.");
        var draft = await articles.CreateDraftAsync(new Knowledge.ResolvedTicket(ticket.Number.ToString(),
            string.IsNullOrWhiteSpace(data.ArticleIntro) ? ticket.Title : data.ArticleIntro.Trim(), data.ArticleSteps, ticket.Category, technicianId, data.ArticleTitle), ct);
        try
        {
            var article = await knowledge.PublishAsync(draft.Id, technicianId, ct);
            return AdaptiveCardInvokeResponse.Card(ArticleDraftCard.Published(article));
        }
        catch (KeyNotFoundException)
        {
            // Publish pressed twice at once: the other press published it.
            return AdaptiveCardInvokeResponse.Message("That article is already published.");
        }
    }

    // The choice comes from the card: it must name someone who really is a technician.
    async Task<ChangeResult> AssignToAsync(TechnicianActionData data, Person by, string? serviceUrl, string changeId, CancellationToken ct)
    {
        var chosen = (await technicians.ListAsync(serviceUrl, ct)).FirstOrDefault(m => m.Id is not null && m.Id == data.Assignee);
        return chosen is null
            ? new ChangeResult(ChangeOutcome.NotAllowed, Message: "Choose a technician from the list first.")
            : await desk.AssignAsync(data.Ticket, by, new Person(chosen.Id!, chosen.Name, chosen.AadObjectId), ct, changeId);
    }

    public const string NotPassedOn = "Saved, but I couldn't pass this on just now. Press the same button again in a minute to tell the requester.";

    // The change id of the ticket's latest change when it is what this verb does, made by this technician.
    static string? LastChangeBy(Ticket ticket, string verb, Person by)
    {
        var kind = verb switch
        {
            TechnicianVerbs.Resolve => TicketEventKind.Resolved,
            TechnicianVerbs.AssignToMe or TechnicianVerbs.AssignTo => TicketEventKind.Assigned,
            TechnicianVerbs.InProgress or TechnicianVerbs.Waiting => TicketEventKind.StatusChanged,
            TechnicianVerbs.Reopen => TicketEventKind.Reopened,
            _ => (TicketEventKind?)null,
        };
        var last = ticket.History.MaxBy(e => e.Seq);
        return kind is not null && last is { ChangeId: { } id } && last.Kind == kind && last.ById == by.TeamsId ? id : null;
    }

    // A change made elsewhere (the requester added details, a reply while waiting on them) shows on the channel card.
    // Best effort: the change is saved, and the next one rewrites the whole card.
    public async Task UpdateChannelCardAsync(Ticket ticket, CancellationToken ct)
    {
        try
        {
            await EnqueueChannelCardAsync(ticket, ct);
        }
        catch (Exception ex) when (IsPassOnFailure(ex))
        {
            logger.LogWarning("Could not queue the channel card update of ticket {Number}: {Error}", ticket.Number, ex.GetBaseException().GetType().Name);
        }
    }

    // The requester changed their ticket (changeId: their activity). Details they added also go to the ticket's thread
    // in the technicians' channel, mentioning the assignee, because Teams does not notify anyone of a card edit.
    public async Task RequesterChangedAsync(Ticket ticket, string changeId, CancellationToken ct)
    {
        try
        {
            await EnqueueChannelCardAsync(ticket, ct);
            if (ticket.TechnicianCard is { } root
                && ticket.History.LastOrDefault(e => e.ChangeId == changeId && e.Kind == TicketEventKind.RequesterDetails) is { Text: { } details } reply)
                await outbox.EnqueueSendAsync(new OutboxTarget(root.ServiceUrl, $"{root.ConversationId};messageid={root.ActivityId}"),
                    ReplyForTechnician(ticket, details), TicketOutboxKeys.ForEvent(ticket.Number, reply, "thread-reply"), ct);
        }
        catch (Exception ex) when (IsPassOnFailure(ex))
        {
            logger.LogWarning("Could not pass the requester's change to ticket {Number} on to the technicians: {Error}", ticket.Number, ex.GetBaseException().GetType().Name);
        }
    }

    // The assignee, else the technician who last asked the requester something.
    static Activity ReplyForTechnician(Ticket ticket, string details)
    {
        var asked = ticket.History.LastOrDefault(e => e.ById != ticket.Requester.TeamsId
            && e.Kind is TicketEventKind.NoteToRequester or TicketEventKind.StatusChanged or TicketEventKind.Assigned);
        var who = ticket.Assignee ?? (asked is null ? null : new Person(asked.ById, asked.ByName));
        var text = $"Ticket #{ticket.Number}: {ticket.Requester.Name ?? "The requester"} replied: \"{details.Shorten(300)}\"";
        if (who is null) return Activity.CreateMessage(text);
        var mention = new Mention(new ChannelAccount { Id = who.TeamsId, Name = who.Name ?? who.TeamsId }, $"<at>{who.Name ?? who.TeamsId}</at>");
        return Activity.CreateMessage($"{mention.Text} {text}") with
        {
            Entities = [JsonSerializer.SerializeToElement(mention, ProtocolJson.Options).Deserialize<Entity>(ProtocolJson.Options)!],
        };
    }

    async Task EnqueueChannelCardAsync(Ticket ticket, CancellationToken ct)
    {
        if (ticket.TechnicianCard is { } posted)
        {
            var update = Activity.CreateMessage(attachments: (await CardAsync(ticket, withActions: false, posted.ServiceUrl, ct)).ToAttachment());
            await outbox.EnqueueUpdateAsync(new PostedMessage(posted.ServiceUrl, posted.ConversationId, posted.ActivityId), update,
                TicketOutboxKeys.CardUpdate(ticket, "channel-card", update), ct, TicketOutboxKeys.CardVersion(ticket));
        }
        else if (await channel.FindAsync(ct) is { } address)
        {
            // Its post is still queued (or its id not stored yet): update whatever that post becomes.
            var url = address.ServiceUrl ?? ticket.RequesterCard?.ServiceUrl;
            var update = Activity.CreateMessage(attachments: (await CardAsync(ticket, withActions: false, url, ct)).ToAttachment());
            await outbox.EnqueueUpdateOfSentAsync(new OutboxTarget(address.ServiceUrl, address.ChannelId), TicketOutboxKeys.ChannelPost(ticket.Number), update,
                TicketOutboxKeys.CardUpdate(ticket, "channel-card", update), ct, TicketOutboxKeys.CardVersion(ticket));
        }
    }

    // Everyone sees the change: the channel card (read-only base; technicians refresh to their view), the requester's
    // card in place, and for the changes that matter to them, a message, because Teams does not notify on edits.
    // All through the outbox, so the technician's press never waits for other conversations. False: not queued (logged).
    public async Task<bool> AfterChangeAsync(Ticket ticket, string verb, Person by, string changeId, CancellationToken ct)
    {
        try
        {
            // The requester's card id is stored beside the ticket by the turn that showed the card, or after a storage
            // blip by a follow-up, which stores it and then reads the ticket to catch up (CatchUpRequesterAsync). This
            // change read the ticket before writing it, maybe before the id was there: read it again after the write,
            // so that this pass or the follow-up's sees both (bench/Chaos soak: resolved a second after the ticket
            // was shown, and neither the resolved card nor the poll ever reached the requester).
            if (ticket.RequesterCard is null && await store.GetAsync(ticket.Number, ct) is { RequesterCard: { } stored })
                ticket = ticket with { RequesterCard = stored };
            await requesterUpdates.EnqueueCardUpdateAsync(ticket, ct);
            // Even when the press came from the channel card: Teams shows an invoke's answer only to whoever pressed.
            await EnqueueChannelCardAsync(ticket, ct);
            // Not asked is not passed on: the technician presses again, and the poll's key asks it once.
            await TellRequesterAsync(ticket, verb, by, ticket.History.LastOrDefault(e => e.ChangeId == changeId), ct);
            return true;
        }
        catch (Exception ex) when (IsPassOnFailure(ex))
        {
            logger.LogWarning("Could not pass on the change to ticket {Number}: {Error}", ticket.Number, ex.GetBaseException().GetType().Name);
            return false;
        }
    }

    // The requester's card id was stored only after the ticket had changed (by a follow-up, storage having failed as the
    // card was shown): those changes found no card to update and no chat to tell or poll. Catch up from the ticket as
    // it is now; the outbox keys make this a no-op for whatever did go out. Throws when storage fails (the follow-up
    // tries again).
    public async Task CatchUpRequesterAsync(Ticket ticket, CancellationToken ct)
    {
        await requesterUpdates.EnqueueCardUpdateAsync(ticket, ct);
        if (ticket.Status == TicketStatus.Resolved && ticket.History.LastOrDefault(e => e.Kind == TicketEventKind.Resolved) is { } resolved)
            await TellRequesterAsync(ticket, TechnicianVerbs.Resolve, new Person(resolved.ById, resolved.ByName), resolved, ct);
    }

    // The message saying what changed, under the change's own key (sent once however often this runs), and for a
    // resolution the satisfaction poll (asked once per resolution).
    async Task TellRequesterAsync(Ticket ticket, string verb, Person by, TicketEvent? change, CancellationToken ct)
    {
        if (change is not null && Announcement(ticket, verb, by) is { } text && ticket.RequesterCard is { } requester)
            await outbox.EnqueueSendAsync(new OutboxTarget(requester.ServiceUrl, requester.ConversationId), Activity.CreateMessage(text),
                TicketOutboxKeys.ForEvent(ticket.Number, change, "announce"), ct);
        if (verb == TechnicianVerbs.Resolve) await polls.AskAsync(ticket, ct);
    }

    // Storage (the outbox, the channel setting) or the Connector (the technicians list for the card) unreachable.
    static bool IsPassOnFailure(Exception ex) =>
        TableStorage.IsFailure(ex) || ex.GetBaseException() is ConnectorException or HttpRequestException or JsonException;

    static string? Announcement(Ticket t, string verb, Person by)
    {
        var who = by.Name ?? "A technician";
        string? Last(TicketEventKind kind) => t.History.LastOrDefault(e => e.Kind == kind)?.Text;
        var question = t.History.LastOrDefault(e => e.Kind == TicketEventKind.NoteToRequester && e.Seq > (t.History.LastOrDefault(x => x.Kind == TicketEventKind.Reopened)?.Seq ?? 0))?.Text;
        return verb switch
        {
            TechnicianVerbs.AssignToMe or TechnicianVerbs.AssignTo => $"Ticket #{t.Number}: {t.Assignee?.Name ?? who} is on it.",
            TechnicianVerbs.Waiting => $"Ticket #{t.Number}: {who} needs something from you{(question is null ? "" : $": \"{question.Shorten(300)}\"")}. Reply here or use Add details on the ticket card.",
            TechnicianVerbs.NoteToRequester => $"Ticket #{t.Number}, from {who}: {Last(TicketEventKind.NoteToRequester)?.Shorten(500)}",
            TechnicianVerbs.Resolve => $"Ticket #{t.Number} is resolved: {Last(TicketEventKind.Resolved)?.Shorten(500)} If it's not fixed, press Reopen on the ticket card.",
            _ => null,
        };
    }

    async Task<AdaptiveCard> CardAsync(Ticket ticket, bool withActions, string? serviceUrl, CancellationToken ct)
    {
        var all = await technicians.ListAsync(serviceUrl, ct);
        return TechnicianCard.Create(ticket, hours, clock.GetUtcNow(), withActions, await technicians.CardUserIdsAsync(serviceUrl, ct),
            assignable: [.. all.Select(m => new ChannelAccount { Id = m.Id, Name = m.Name, AadObjectId = m.AadObjectId })]);
    }
}
