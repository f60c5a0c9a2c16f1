using System.Text.Json;
using Microsoft.Extensions.Options;
using SupportBot.Cards;
using SupportBot.Conversations;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Technicians;
using SupportBot.Tickets;

namespace SupportBot.Incidents;

// The incident as people see it: the technicians' one card in their channel, "Resolve" on it (every linked ticket
// resolved and its requester told), and the requester's "My problem is different".
public sealed class MajorIncidentDesk(
    MajorIncidentStore incidents,
    ITicketStore tickets,
    TicketDesk desk,
    TicketCards cards,
    TechnicianDesk technicianDesk,
    TechnicianDirectory technicians,
    TechnicianChannel channel,
    IOptions<TechnicianOptions> technicianOptions,
    RequesterUpdates requesterUpdates,
    Outbox outbox,
    SupportHours hours,
    TimeProvider clock,
    ILogger<MajorIncidentDesk> logger)
{
    static readonly AdaptiveCardInvokeResponse BadCardData = AdaptiveCardInvokeResponse.Error(400, "BadRequest", "This card's data is incomplete or out of date.");

    // After the reporter has their answer: the tickets this report turned into an incident show it on their
    // requesters' cards and their channel cards, and the technicians' one card is posted or rewritten.
    // The reporter already has their card, so a storage failure here is logged, never answered with "not saved".
    public async Task AfterReportAsync(IncidentLink link, string? serviceUrl, CancellationToken ct)
    {
        try
        {
            foreach (var number in link.Absorbed)
                if (await tickets.GetAsync(number, ct) is { } absorbed)
                {
                    await requesterUpdates.UpdateCardAsync(absorbed, ct);
                    await technicianDesk.UpdateChannelCardAsync(absorbed, ct);
                }
            await ShowAsync(link.IncidentId, serviceUrl, ct);
        }
        catch (Exception ex) when (Storage.TableStorage.IsFailure(ex) && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Could not pass on major incident {Incident}: {Error}", link.IncidentId, ex.GetType().Name);
        }
    }

    // Posted once through the outbox (its dedupe key makes one post whoever asks), then rewritten in place by updates of
    // "whatever that post became", keyed by the incident's state, until the newest state is the last one queued.
    // Best effort like every channel post: the tickets are linked whatever happens here.
    public async Task ShowAsync(string id, string? serviceUrl, CancellationToken ct)
    {
        try
        {
            string? queued = null;
            for (var round = 0; round < 4; round++)
            {
                if ((await incidents.GetAsync(id, ct))?.Incident is not { } incident || incident.Shown == queued) return;
                if (await channel.FindAsync(ct) is not { } address) return;
                var url = incident.Card?.ServiceUrl ?? address.ServiceUrl ?? serviceUrl;
                var target = new OutboxTarget(url, incident.Card?.ConversationId ?? address.ChannelId);
                var content = Activity.CreateMessage(attachments: (await CardAsync(incident, withActions: false, url, ct)).ToAttachment());
                var postKey = $"incident-{id}-card";
                if (incident.Card is null)
                    await outbox.EnqueueSendAsync(target, content, postKey, ct, IncidentCardPosted.For(id));
                await outbox.EnqueueUpdateOfSentAsync(target, postKey, content, $"{postKey}-{incident.Shown}", ct);
                queued = incident.Shown;
            }
        }
        catch (Exception ex) when (Storage.TableStorage.IsFailure(ex) || ex is OperationCanceledException or JsonException)
        {
            logger.LogWarning("Could not show major incident {Incident} in the technicians' channel: {Error}", id, ex.GetType().Name);
        }
    }

    public async Task<AdaptiveCardInvokeResponse> ActAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        if (action.ReadData<IncidentActionData>() is not { } data) return BadCardData;
        if (action.Verb == IncidentVerbs.Separate)
            return data.Ticket > 0 ? await SeparateAsync(turn, data.Ticket, ct) : BadCardData;
        if (data.Incident is not { Length: > 0 } id || (await incidents.GetAsync(id, ct))?.Incident is not { } incident)
            return AdaptiveCardInvokeResponse.Error(400, "NotFound", "This incident no longer exists.");

        var isTechnician = await technicians.IsTechnicianAsync(turn.Activity.From, turn.Activity.ServiceUrl, ct);
        if (action.Verb == IncidentVerbs.Refresh)
            return isTechnician || await InTechnicianChannelAsync(turn, ct)
                ? AdaptiveCardInvokeResponse.Card(await CardAsync(incident, isTechnician, turn.Activity.ServiceUrl, ct))
                : AdaptiveCardInvokeResponse.Error(400, "NotAvailable", "This card is only available in the technicians' channel.");
        if (!isTechnician) return TechnicianDesk.NotATechnician;
        if (action.Verb != IncidentVerbs.Resolve)
            return AdaptiveCardInvokeResponse.Error(400, "BadRequest", "This button is no longer supported.");
        if (string.IsNullOrWhiteSpace(data.Resolution))
            return AdaptiveCardInvokeResponse.Error(400, "NotDone", "A resolution note is required: say what was wrong and what fixed it. Every requester gets it.");

        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        var resolved = await ResolveAsync(id, by, data.Resolution, TechnicianChangeId(turn, by), turn.Activity.ServiceUrl, ct) ?? incident;
        return AdaptiveCardInvokeResponse.Card(await CardAsync(resolved, withActions: true, turn.Activity.ServiceUrl, ct));
    }

    // "Resolve" on the parent ticket's own technician card counts as resolving the incident.
    public async Task AfterTechnicianActionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        if (action.Verb != TechnicianVerbs.Resolve || action.ReadData<TechnicianActionData>() is not { Ticket: > 0 } data) return;
        if (await tickets.GetAsync(data.Ticket, ct) is not { MajorIncident: { } id, Status: TicketStatus.Resolved } parent || !MajorIncidents.IsParent(parent)) return;
        if (!await technicians.IsTechnicianAsync(turn.Activity.From, turn.Activity.ServiceUrl, ct)) return;
        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        var resolution = parent.History.LastOrDefault(e => e.Kind == TicketEventKind.Resolved)?.Text ?? "";
        await ResolveAsync(id, by, resolution, TechnicianChangeId(turn, by), turn.Activity.ServiceUrl, ct);
    }

    // The first resolution stands; each linked ticket is resolved with it (keyed by this press and the ticket, so a
    // replay resolves and notifies nobody twice) and its requester hears through the technicians' usual path.
    public async Task<MajorIncident?> ResolveAsync(string id, Person by, string resolution, string changeId, string? serviceUrl, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var incident = await incidents.UpdateAsync(id, i => i.Resolved ? null
            : i with { Resolved = true, Resolution = resolution.Trim(), ResolvedByName = by.Name, ResolvedAt = now }, ct);
        if (incident is null) return null;
        await incidents.CloseAsync(incident.Category, id, ct);
        var text = incident.Resolution ?? resolution;
        if (incident.ParentNumber is { } parent)
            await desk.ResolveAsync(parent, by, text, ct, changeId);
        await Parallel.ForEachAsync(incident.Linked, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (report, token) =>
        {
            var reportChange = $"{changeId}|{report.Number}";
            var result = await desk.ResolveAsync(report.Number, by, text, token, reportChange);
            if (result is not { Outcome: ChangeOutcome.Done, Ticket: { } resolved }) return;
            // Resolved, it is an ordinary ticket again: reopened, it is worked on its own (the history keeps the link).
            var ticket = (await tickets.UpdateAsync(resolved.Number, t => t.MajorIncident == id ? new TicketChange(t with { MajorIncident = null }, []) : null, token))?.Ticket ?? resolved;
            await technicianDesk.AfterChangeAsync(ticket, TechnicianVerbs.Resolve, by, reportChange, token);
        });
        await ShowAsync(id, serviceUrl, ct);
        return (await incidents.GetAsync(id, ct))?.Incident ?? incident;
    }

    // Only the ticket's requester may press it; it acts once (a replay, or a second press, finds it separate already).
    async Task<AdaptiveCardInvokeResponse> SeparateAsync(TurnContext turn, int number, CancellationToken ct)
    {
        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        if (await tickets.GetAsync(number, ct) is not { } ticket || ticket.Requester.TeamsId != by.TeamsId)
            return Intake.NotYours;
        if (ticket.MajorIncident is not { } id)
            return AdaptiveCardInvokeResponse.Card(cards.ForRequester(ticket));
        if (!ticket.IsOpen)
            return AdaptiveCardInvokeResponse.Card(cards.ForRequester(ticket, "This ticket is no longer open, so it can't be split off."));

        var changeId = RequestKeys.For(turn.Activity, turn.Activity.Id);
        var result = await tickets.UpdateAsync(number, t => t.MajorIncident is null ? null
            : new TicketChange(t with { MajorIncident = null },
                [new NewEvent(by.TeamsId, by.Name, TicketEventKind.UnlinkedFromIncident, "The requester said their problem is different: unlinked from the major incident")], changeId), ct);
        if (result is not { Ticket: var separate })
            return Intake.NotYours;
        if (result.Changed)
        {
            var found = await incidents.GetAsync(id, ct);
            await incidents.SeparateAsync(id, number, ct);
            if (found?.Incident.Reports.FirstOrDefault(r => r.Number == number) is { } report)
                await incidents.MarkRecentAsync(found.Value.Incident.Category, report.RecentRow, null, separated: true, ct);
            await requesterUpdates.UpdateCardAsync(separate, ct, except: turn.Activity.ReplyToId);
            if (separate.TechnicianCard is null)
                await technicianDesk.PostNewTicketAsync(separate, turn.Activity.ServiceUrl, ct);
            else
                await technicianDesk.UpdateChannelCardAsync(separate, ct);
            await ShowAsync(id, turn.Activity.ServiceUrl, ct);
        }
        return AdaptiveCardInvokeResponse.Card(cards.ForRequester(separate, result.Changed
            ? "Thanks: I've passed this to a technician as a problem of its own."
            : null));
    }

    async Task<AdaptiveCard> CardAsync(MajorIncident incident, bool withActions, string? serviceUrl, CancellationToken ct)
    {
        var onCall = incident.Emergency
            ? (technicianOptions.Value.OnCall ?? []).Select(o => new ChannelAccount { Id = o.Id, Name = o.Name ?? o.Id }).ToList()
            : [];
        return MajorIncidentCard.Create(incident, hours, clock.GetUtcNow(), withActions, await technicians.CardUserIdsAsync(serviceUrl, ct), onCall);
    }

    async Task<bool> InTechnicianChannelAsync(TurnContext turn, CancellationToken ct) =>
        await channel.FindAsync(ct) is { } address && turn.Activity.Conversation?.Id is { } conversation
        && (conversation == address.ChannelId || conversation.StartsWith(address.ChannelId + ";", StringComparison.Ordinal));

    // The same key a technician's press has in TechnicianDesk.
    static string TechnicianChangeId(TurnContext turn, Person by) => $"{turn.Activity.Conversation?.Id}|{by.TeamsId}|{turn.Activity.Id}";
}
