using System.Text.Json;
using Azure;
using Microsoft.Extensions.Options;
using SupportBot.Cards;
using SupportBot.Incidents;
using SupportBot.Knowledge;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Storage;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Conversations;

// The conversation a user has with the help desk. Reads top to bottom like the chat itself; each capability
// (intake, tickets, knowledge) owns its rules and cards.
public sealed class HelpDeskBot(
    Intake intake,
    GuidedWalkthrough walkthrough,
    TicketDesk desk,
    TicketCards ticketCards,
    RequesterUpdates requesterUpdates,
    ConversationReferenceStore references,
    Outbox outbox,
    TechnicianDesk technicianDesk,
    TechnicianCommands technicianCommands,
    FileAsTicket fileAsTicket,
    MajorIncidentDesk majorIncidents,
    Surveys.PollAnswers pollAnswers,
    Outcomes.StatsCommand stats,
    ITicketStore store,
    UnansweredRequests unanswered,
    StorageFollowUps followUps,
    IOptions<EmergencyPolicy> emergencyPolicy,
    ILogger<HelpDeskBot> logger) : ActivityHandler
{
    EmergencyPolicy Policy => emergencyPolicy.Value;

    // The one error boundary for storage: the user hears that nothing was saved, and keeps what they typed.
    public override async Task OnTurnAsync(TurnContext turn, CancellationToken ct)
    {
        try
        {
            await RememberWhereToReachAsync(turn, ct);
            await base.OnTurnAsync(turn, ct);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            logger.LogError("Storage failed during {Type} activity {ActivityId} in {At}: {Error}", turn.Activity.Type, turn.Activity.Id, FailedAt(ex),
                ex.GetBaseException().GetType().Name);
            // The turn's own token may be spent (a storage timeout): the apology gets a short one of its own.
            using var apology = new CancellationTokenSource(TimeSpan.FromSeconds(4));
            if (turn.Activity.Type == ActivityTypes.Message)
            {
                // Only a request gets its text back with Try again; a command or a greeting simply can be sent again.
                var text = turn.Activity.GetTextWithoutMentions();
                var answer = IsRequest(text)
                    ? Activity.CreateMessage(attachments: IntakeCards.NotSavedYet(text, turn.Activity.Id ?? "").ToAttachment())
                    : Activity.CreateMessage("Sorry, I can't reach my storage just now. Please try again in a minute.");
                await turn.SendActivityAsync(answer, apology.Token);
            }
            else if (turn.Activity.Name is InvokeNames.MessageActionFetchTask or InvokeNames.MessageActionSubmit)
                turn.InvokeResponse = new InvokeResponse(200, TaskModuleResponse.Message(
                    "Sorry, I couldn't save that just now, so nothing was filed. Please try File as ticket again in a minute."));
            else if (turn.Activity.Type == ActivityTypes.Invoke)
                // Not "nothing changed": a turn cut off by storage may have done its work (the filing goes on past the
                // deadline), and the next press shows it; every button is safe to press again (bench/Chaos soak13).
                turn.InvokeResponse = new InvokeResponse(200, AdaptiveCardInvokeResponse.Error(500, "StorageUnavailable",
                    "Sorry, I couldn't finish that just now. Please press the button again in a minute: it is never done twice."));
        }
    }

    // Added to a team, the bot speaks to technicians (how to make this the tickets channel); in a chat, to requesters.
    protected override async Task OnInstallationAddAsync(TurnContext turn, CancellationToken ct) =>
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: (InATeam(turn)
            ? WelcomeCards.ForTechnicians()
            : WelcomeCards.Welcome(turn.Activity.From?.Name, Policy)).ToAttachment()), ct);

    static bool InATeam(TurnContext turn) =>
        turn.Activity.Conversation?.ConversationType == "channel" || turn.Activity.ChannelData?.Team is not null;

    protected override async Task OnMessageAsync(TurnContext turn, CancellationToken ct)
    {
        var text = turn.Activity.GetTextWithoutMentions();
        if (text.Length == 0)
        {
            await base.OnMessageAsync(turn, ct);
            return;
        }

        if (Commands.Parse(text) is { } command)
        {
            await RunAsync(command, turn, ct);
            return;
        }

        if (text.Length > TriageInput.MaxMessageChars)
        {
            await turn.SendActivityAsync($"That message is too long for me ({text.Length:N0} characters). Please describe the problem in under {TriageInput.MaxMessageChars:N0} characters, and attach logs as a file instead.", ct);
            return;
        }

        var kind = SmallTalk.Classify(text);
        if (kind is not (MessageKind.Request or MessageKind.TooVague))
        {
            await turn.SendActivityAsync(SmallTalk.Reply(kind, turn.Activity.From?.Name), ct);
            return;
        }
        var request = await RequestForAsync(turn, text, turn.Activity.Id ?? "", ct);
        var requestKey = RequestKeys.For(turn.Activity, request.ActivityId);

        // A technician asked them something: their next message is the answer, unless it reports a new incident
        // (security, safety, many people: filed and sent to on-call like any other). A short "yes"/"no" is an answer too.
        if (await AnsweredTicketAsync(turn, requestKey, text, request.FirstSight, ct) is { } waiting)
        {
            await AddReplyAsync(turn, waiting, text, requestKey, ct);
            await unanswered.AnsweredAsync(request);
        }
        else if (kind is not MessageKind.Request)
        {
            await turn.SendActivityAsync(SmallTalk.Reply(kind, turn.Activity.From?.Name), ct);
            await unanswered.AnsweredAsync(request);
        }
        else
        {
            var answer = await intake.StartAsync(turn, text, requestKey, replacing: null, ct);
            // A redelivery of an answered activity posts nothing again; a person typing it again gets their answer again.
            await PostAsync(turn, request.ShowAgain ? answer with { AlreadyPosted = false } : answer, ct, shown: () => unanswered.AnsweredAsync(request));
        }
    }

    async Task RunAsync(Command command, TurnContext turn, CancellationToken ct)
    {
        var requester = turn.Activity.From!.Id!;
        switch (command)
        {
            case Command.Help:
                await turn.SendActivityAsync(Activity.CreateMessage(attachments: WelcomeCards.Help(Policy, await technicianCommands.IsTechnicianAsync(turn, ct)).ToAttachment()), ct);
                break;
            case Command.Ticket { Number: var asked } when !await technicianCommands.IsTechnicianAsync(turn, ct):
                await ShowOwnTicketAsync(turn, asked, ct); // for anyone else "ticket 1042" means their own ticket
                break;
            case Command.Queue or Command.Mine or Command.Setup or Command.OnCall or Command.Stats when !await technicianCommands.IsTechnicianAsync(turn, ct):
                await turn.SendActivityAsync(TechnicianCommands.NotForYou, ct);
                break;
            case Command.Queue:
                await technicianCommands.QueueAsync(turn, ct);
                break;
            case Command.Mine:
                await technicianCommands.MineAsync(turn, ct);
                break;
            case Command.Setup:
                await technicianCommands.SetUpAsync(turn, ct);
                break;
            case Command.OnCall:
                await technicianCommands.OnCallAsync(turn, ct);
                break;
            case Command.Stats { Days: var days }:
                await stats.ShowAsync(turn, days, ct);
                break;
            case Command.Ticket { Number: var number }:
                await technicianCommands.ShowTicketAsync(turn, number, ct);
                break;
            case Command.MyTickets:
                await turn.SendActivityAsync(Activity.CreateMessage(attachments: ticketCards.List(await desk.ListForRequesterAsync(requester, ct)).ToAttachment()), ct);
                break;
            case Command.Status { Number: null }:
                await turn.SendActivityAsync("Which ticket? Type \"status\" and its number, for example \"status 1042\", or \"my tickets\" to see them all.", ct);
                break;
            case Command.Status { Number: { } own }:
                await ShowOwnTicketAsync(turn, own, ct);
                break;
            case Command.NotifyMe:
                await SendTestNotificationAsync(turn, ct);
                break;
        }
    }

    async Task<TicketSummary?> WaitingOnThemAsync(TurnContext turn, CancellationToken ct) =>
        turn.Activity.Conversation?.ConversationType is null or "personal" ? await desk.WaitingOnAsync(turn.Activity.From!.Id!, ct) : null;

    // The ticket this message answers: the one waiting on them, or, for a redelivered answer (or its "Try again"), the one
    // it was added to the first time (by then the ticket is no longer waiting, and the answer must not become a new ticket).
    // firstSight: no turn of this request has run before, so there is no first time to look for. The same words can
    // also answer a question asked since that first time (found by bench/Chaos): the ticket asking now takes them.
    async Task<int?> AnsweredTicketAsync(TurnContext turn, string requestKey, string text, bool firstSight, CancellationToken ct)
    {
        if (turn.Activity.Conversation?.ConversationType is not (null or "personal")) return null;
        var waiting = await WaitingOnThemAsync(turn, ct);
        if (!firstSight && await store.FindRequestAsync(requestKey, ct) is { } linked && await desk.FindForRequesterAsync(linked, turn.Activity.From!.Id!, ct) is { } earlier
            && earlier.History.FirstOrDefault(e => e.ChangeId == requestKey) is { } added
            && !(waiting is not null && waiting.Number != linked && waiting.UpdatedAt > added.At))
            return linked;
        return waiting is not null && !Intake.IsNewIncident(text) ? waiting.Number : null;
    }

    async Task AddReplyAsync(TurnContext turn, int waiting, string text, string changeId, CancellationToken ct)
    {
        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        await store.LinkRequestAsync(changeId, waiting, ct);
        var result = await desk.AddDetailsAsync(waiting, by, text, ct, changeId);
        if (result.Ticket is not { } ticket) return;
        if (!Added(result, changeId))
        {
            await turn.SendActivityAsync(result.Message ?? $"Ticket #{ticket.Number} is no longer open.", ct);
            return;
        }
        await requesterUpdates.UpdateCardAsync(ticket, ct);
        await technicianDesk.RequesterChangedAsync(ticket, changeId, ct);
        await turn.SendActivityAsync($"Thanks, I've added that to ticket #{ticket.Number} and let the technician know." +
            (result.Message is null ? "" : " " + result.Message), ct);
    }

    // Refused (the ticket was closed between the check that it waits for them and the change) unless this very
    // message was added before: a redelivery finds the ticket moved on since, with the words already in its history.
    static bool Added(ChangeResult result, string changeId) =>
        result.Outcome != ChangeOutcome.NotAllowed || result.Ticket?.History.Any(e => e.ChangeId == changeId) == true;

    async Task ShowOwnTicketAsync(TurnContext turn, int number, CancellationToken ct)
    {
        var ticket = number > 0 ? await desk.FindForRequesterAsync(number, turn.Activity.From!.Id!, ct) : null;
        await turn.SendActivityAsync(ticket is null
            ? Activity.CreateMessage($"I couldn't find ticket #{number} among yours. Type \"my tickets\" to see them.")
            : Activity.CreateMessage(attachments: ticketCards.ForRequester(ticket).ToAttachment()), ct);
    }

    protected override Task OnCardSubmitAsync(TurnContext turn, JsonElement data, CancellationToken ct) =>
        data.TryGetProperty("command", out var command) && command.ValueKind == JsonValueKind.String && command.GetString() == WelcomeCards.HelpCommand
            ? turn.SendActivityAsync(Activity.CreateMessage(attachments: WelcomeCards.Help(Policy, forTechnician: false).ToAttachment()), ct)
            : Task.CompletedTask;

    protected override async Task<AdaptiveCardInvokeResponse> OnAdaptiveCardActionAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        if (TechnicianVerbs.IsTechnicianVerb(action.Verb))
        {
            var response = await technicianDesk.ActAsync(turn, action, ct);
            await majorIncidents.AfterTechnicianActionAsync(turn, action, ct);
            return response;
        }
        if (IncidentVerbs.IsIncidentVerb(action.Verb))
            return await majorIncidents.ActAsync(turn, action, ct);
        if (Surveys.PollVerbs.IsPollVerb(action.Verb))
            return await pollAnswers.AnswerAsync(turn, action, ct);
        UnansweredRequest? retried = null;
        var answer = action.Verb switch
        {
            IntakeVerbs.Urgency when action.ReadData<UrgencyAnswerData>() is { Request.Length: > 0 } urgency =>
                await intake.AnswerUrgencyAsync(turn, urgency, ct),
            IntakeVerbs.Retry when action.ReadData<RetryData>() is { Text.Length: > 0 } retry && IsRequest(retry.Text.Trim()) =>
                await RetryAsync(turn, retry, a => retried = a, ct),
            KnowledgeVerbs.Fixed or KnowledgeVerbs.StillNeedHelp when action.ReadData<ArticleVoteData>() is { SuggestionId.Length: > 0 } vote
                && (action.Verb == KnowledgeVerbs.StillNeedHelp || !string.IsNullOrEmpty(vote.ArticleId)) =>
                await intake.AnswerSuggestionAsync(turn, vote, fixedIt: action.Verb == KnowledgeVerbs.Fixed, ct),
            KnowledgeVerbs.ShowSteps when action.ReadData<ArticleVoteData>() is { SuggestionId.Length: > 0, ArticleId.Length: > 0 } open =>
                await walkthrough.ShowStepsAsync(turn, open, ct),
            KnowledgeVerbs.WalkThrough when action.ReadData<ArticleVoteData>() is { SuggestionId.Length: > 0, ArticleId.Length: > 0 } start =>
                await walkthrough.StartAsync(turn, start, ct),
            KnowledgeVerbs.WalkNext when action.ReadData<WalkthroughStepData>() is { SuggestionId.Length: > 0, Step: > 0 } step =>
                await walkthrough.NextAsync(turn, step, ct),
            KnowledgeVerbs.WalkFixed or KnowledgeVerbs.WalkStillBroken when action.ReadData<WalkthroughStepData>() is { SuggestionId.Length: > 0, Step: > 0 } step =>
                await walkthrough.FinishAsync(turn, step, fixedIt: action.Verb == KnowledgeVerbs.WalkFixed, ct),
            TicketVerbs.AddDetails or TicketVerbs.SetLocation or TicketVerbs.Cancel or TicketVerbs.Reopen when action.ReadData<TicketActionData>() is { Ticket: > 0 } data =>
                await ChangeTicketAsync(turn, action.Verb, data, ct),
            _ => IntakeAnswer.Refused(Intake.BadCardData),
        };
        if (answer.Refusal is { } refusal) return refusal;
        if (answer.Ticket is { } ticket && ticket.RequesterCard is null && Intake.CardBeingAnswered(turn) is { } card)
            await RememberCardAsync(ticket.Number, card, ct);
        if (answer is { TicketChanged: true, Ticket: { } changed })
            await PassOnRequesterChangeAsync(turn, changed, RequestKeys.For(turn.Activity, turn.Activity.Id), ct);
        await ToTechniciansAsync(turn, answer, ct);
        await OfferWhileYouWaitAsync(turn, answer, ct);
        if (retried is not null) await unanswered.AnsweredAsync(retried);
        return AdaptiveCardInvokeResponse.Card(answer.Card!);
    }

    // "Try again" after a storage failure: the message goes where it would have gone, so an answer to a technician's
    // question is added to the ticket waiting on it (found by bench/Chaos: it became a new ticket instead).
    // answered: the request's activity, marked answered once the whole turn has gone through.
    async Task<IntakeAnswer> RetryAsync(TurnContext turn, RetryData retry, Action<UnansweredRequest> answered, CancellationToken ct)
    {
        var text = retry.Text.Trim();
        // The card's own activity, unless the same words were typed again meanwhile and that turn was cut off too.
        var request = await RequestForAsync(turn, text, retry.ActivityId, ct);
        answered(request);
        return await RetryAsRequestAsync(turn, text, RequestKeys.For(turn.Activity, request.ActivityId), request.FirstSight, ct);
    }

    // The same words typed again after a turn that never answered them are that same request (see UnansweredRequests),
    // unless the ticket it became is over by now: then they report the problem anew. Asked by the message and by its
    // "Try again" alike (bench/Chaos soak10: the check cut off in the message's turn, "Try again" showed the resolved
    // ticket of 13 minutes before, and the requester's next answer became a ticket of its own).
    async Task<UnansweredRequest> RequestForAsync(TurnContext turn, string text, string activityId, CancellationToken ct)
    {
        var request = await unanswered.ActivityForAsync(turn.Activity, text, activityId, ct);
        if (request.ShowAgain && await store.FindRequestAsync(RequestKeys.For(turn.Activity, request.ActivityId), ct) is { } earlier
            && await store.GetAsync(earlier, ct) is { IsOpen: false })
            request = await unanswered.StartAfreshAsync(request, ct);
        return request;
    }

    async Task<IntakeAnswer> RetryAsRequestAsync(TurnContext turn, string text, string changeId, bool firstSight, CancellationToken ct)
    {
        if (await AnsweredTicketAsync(turn, changeId, text, firstSight, ct) is { } waiting)
        {
            var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
            await store.LinkRequestAsync(changeId, waiting, ct);
            var result = await desk.AddDetailsAsync(waiting, by, text, ct, changeId);
            if (result.Ticket is { } ticket && !Added(result, changeId))
                return new IntakeAnswer(ticketCards.ForRequester(ticket, result.Message), ticket);
            if (result.Ticket is { } added)
            {
                await requesterUpdates.UpdateCardAsync(added, ct);
                await technicianDesk.RequesterChangedAsync(added, changeId, ct);
                return new IntakeAnswer(ticketCards.ForRequester(added, $"Thanks, I've added that to ticket #{added.Number} and let the technician know."), added);
            }
        }
        return await intake.StartAsync(turn, text, changeId, Intake.CardBeingAnswered(turn), ct);
    }

    // The requester's own buttons on their ticket card. The card that was pressed is replaced by the answer; the
    // stored ticket card, when it is another message (a "status" copy was pressed), is updated in place too.
    async Task<IntakeAnswer> ChangeTicketAsync(TurnContext turn, string verb, TicketActionData data, CancellationToken ct)
    {
        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        var changeId = RequestKeys.For(turn.Activity, turn.Activity.Id);
        var result = verb switch
        {
            TicketVerbs.AddDetails => await desk.AddDetailsAsync(data.Ticket, by, data.Details, ct, changeId),
            TicketVerbs.SetLocation => await desk.SetLocationAsync(data.Ticket, by, data.Location, ct, changeId),
            TicketVerbs.Cancel => await desk.CancelAsync(data.Ticket, by, ct, changeId),
            _ => await desk.ReopenAsync(data.Ticket, by, ct, changeId),
        };
        if (result.Ticket is not { } ticket)
            return IntakeAnswer.Refused(result.Outcome == ChangeOutcome.NotAllowed
                ? AdaptiveCardInvokeResponse.Error(400, "BadRequest", result.Message ?? "That can't be done on this ticket.")
                : AdaptiveCardInvokeResponse.Error(400, "NotFound", "I couldn't find that ticket among yours."));

        var card = ticketCards.ForRequester(ticket, result.Message);
        if (result.Outcome == ChangeOutcome.Done)
            await PassOnRequesterChangeAsync(turn, ticket, changeId, ct);
        return new IntakeAnswer(card, ticket);
    }

    // A change the requester made from a card: their other copy of the ticket card (not the one pressed, which the
    // invoke answers) and the technicians' card follow.
    async Task PassOnRequesterChangeAsync(TurnContext turn, Ticket ticket, string changeId, CancellationToken ct)
    {
        await requesterUpdates.UpdateCardAsync(ticket, ct, except: turn.Activity.ReplyToId);
        await technicianDesk.RequesterChangedAsync(ticket, changeId, ct);
    }

    // "File as ticket" on someone's message: a dialog to check the text and urgency, then their ticket.
    protected override Task<TaskModuleResponse?> OnMessageActionFetchTaskAsync(TurnContext turn, MessageActionValue action, CancellationToken ct) =>
        Task.FromResult<TaskModuleResponse?>(fileAsTicket.Open(action));

    protected override async Task<TaskModuleResponse?> OnMessageActionSubmitAsync(TurnContext turn, MessageActionValue action, CancellationToken ct)
    {
        var result = await fileAsTicket.SubmitAsync(turn, action, ct);
        if (result.Ticket is { } ticket)
        {
            // Also on a repeated submit: whatever a first attempt did not finish is done now (each send is deduplicated).
            if (ticket.RequesterCard is null)
                await requesterUpdates.SendNewCardAsync(ticket, await ReachAsync(turn, ticket.Requester, ct), ct);
            if (ticket.TechnicianCard is null)
                await technicianDesk.PostNewTicketAsync(ticket, turn.Activity.ServiceUrl, ct);
        }
        return result.Response;
    }

    // Their 1:1 chat with the bot if they have one, else a reference from which the outbox opens it.
    async Task<ConversationReference> ReachAsync(TurnContext turn, Person person, CancellationToken ct)
    {
        var tenant = turn.Activity.Conversation?.TenantId ?? turn.Activity.ChannelData?.Tenant?.Id;
        return await references.FindAsync(tenant, person.TeamsId, ct)
            ?? new ConversationReference(null, new ChannelAccount { Id = person.TeamsId, Name = person.Name }, turn.Activity.Recipient,
                null, turn.Activity.ChannelId, turn.Activity.ServiceUrl, turn.Activity.Locale, tenant);
    }

    // A card answer to a message: posted as its own activity so its id can be kept for updates in place.
    // shown: runs once the requester has the answer, before the rest of the turn (which its deadline may cut off).
    // A replay whose card the requester already has is not shown again, but what the first attempt may not have got to
    // (the technicians' post, the while-you-wait card: each queued once per ticket) is done now: an instance killed
    // after showing the card and storing its id would otherwise leave the ticket out of the technicians' channel.
    async Task PostAsync(TurnContext turn, IntakeAnswer answer, CancellationToken ct, Func<Task>? shown = null)
    {
        if (answer.Card is null)
        {
            if (shown is not null) await shown();
            return;
        }
        var posted = answer.AlreadyPosted ? null : await turn.SendActivityAsync(Activity.CreateMessage(attachments: answer.Card.ToAttachment()), ct);
        if (shown is not null) await shown();
        if (answer.Ticket is { } ticket && posted?.Id is { } id && turn.Activity.Conversation?.Id is { } conversation)
            await RememberCardAsync(ticket.Number, new PostedCard(turn.Activity.ServiceUrl, conversation, id), ct);
        await ToTechniciansAsync(turn, answer, ct);
        await OfferWhileYouWaitAsync(turn, answer, ct);
    }

    // The card's id lets every later change update it in place and the satisfaction poll find the requester. Not stored
    // now (storage blipped after the card was shown): stored by a follow-up, and the requester then catches up with
    // whatever changed meanwhile: the card, and for a ticket resolved meanwhile its announcement and poll (bench/Chaos
    // soak: five tickets resolved in the seconds before the follow-up never got a poll).
    async Task RememberCardAsync(int number, PostedCard card, CancellationToken ct)
    {
        if (await desk.TryRememberRequesterCardAsync(number, card, logger, ct)) return;
        followUps.Retry($"the card id of ticket {number}", async stop =>
        {
            await desk.RememberRequesterCardAsync(number, card, stop);
            if (await store.GetAsync(number, stop) is { } ticket) await technicianDesk.CatchUpRequesterAsync(ticket, stop);
            return true;
        });
    }

    // After the emergency's own card, through the outbox like every follow-up message: sent once per ticket, whatever
    // is replayed. The ticket is filed and shown by now, so a failure here must not tell the user their request failed.
    async Task OfferWhileYouWaitAsync(TurnContext turn, IntakeAnswer answer, CancellationToken ct)
    {
        if (answer is not { WhileYouWait: { } tryThis, Ticket: { } ticket } || turn.Activity.Conversation?.Id is not { } conversation)
            return;
        var target = new OutboxTarget(turn.Activity.ServiceUrl, conversation);
        var message = Activity.CreateMessage(attachments: tryThis.ToAttachment());
        var key = $"while-you-wait:{ticket.Number}";
        try
        {
            await outbox.EnqueueSendAsync(target, message, key, ct);
        }
        catch (Exception ex) when (TableStorage.IsFailure(ex))
        {
            logger.LogWarning("Could not queue the while-you-wait card of ticket {Number}: {Error}", ticket.Number, ex.GetType().Name);
            followUps.Retry($"the while-you-wait card of ticket {ticket.Number}", async stop =>
            {
                await outbox.EnqueueSendAsync(target, message, key, stop);
                return true;
            });
        }
    }

    // A ticket not yet in the technicians' channel goes there once the requester has their card; one linked under a
    // major incident updates the incident's card instead.
    async Task ToTechniciansAsync(TurnContext turn, IntakeAnswer answer, CancellationToken ct)
    {
        if (answer.Incident is { } incident)
            await majorIncidents.AfterReportAsync(incident, turn.Activity.ServiceUrl, ct);
        else if (answer.Ticket is { TechnicianCard: null, MajorIncident: null } ticket
            && !await technicianDesk.PostNewTicketAsync(ticket, turn.Activity.ServiceUrl, ct))
        {
            var serviceUrl = turn.Activity.ServiceUrl;
            followUps.Retry($"ticket {ticket.Number} to the technicians' channel", async stop =>
                await store.GetAsync(ticket.Number, stop) is not { TechnicianCard: null, MajorIncident: null } current
                || await technicianDesk.PostNewTicketAsync(current, serviceUrl, stop));
        }
    }

    // Updates reach people in their 1:1 chat with the bot, so only personal conversations are remembered. A failure
    // here must not cost the user their turn: the next activity tries again.
    async Task RememberWhereToReachAsync(TurnContext turn, CancellationToken ct)
    {
        var conversation = turn.Activity.Conversation;
        if (turn.Activity.From?.Id is null || conversation?.IsGroup == true || conversation?.ConversationType is not (null or "personal"))
            return;
        try
        {
            await references.SaveAsync(turn.Activity.GetConversationReference(), ct);
        }
        catch (Exception ex) when (IsStorageFailure(ex))
        {
            logger.LogWarning("Could not refresh the conversation reference: {Error}", ex.GetBaseException().GetType().Name);
        }
    }

    // The way ticket updates travel: the outbox opens the 1:1 chat from the reference, posts, then edits the message.
    async Task SendTestNotificationAsync(TurnContext turn, CancellationToken ct)
    {
        var reference = turn.Activity.GetConversationReference();
        var target = new OutboxTarget(reference.ServiceUrl, null, reference with { Conversation = null });
        var key = RequestKeys.For(turn.Activity, turn.Activity.Id) + "|notify";
        await outbox.EnqueueSendAsync(target, Activity.CreateMessage("Test notification: sending..."), key, ct);
        await outbox.EnqueueUpdateOfSentAsync(target, key, Activity.CreateMessage("Test notification: delivered. You'll get ticket updates like this."), key + "|update", ct);
    }

    static bool IsRequest(string text) =>
        text.Length is > 0 and <= TriageInput.MaxMessageChars && Commands.Parse(text) is null && SmallTalk.Classify(text) == MessageKind.Request;

    // Which of our storage calls failed (the innermost of our own frames), so the log tells a slow query from a store
    // that is down without a stack trace (bench/Chaos soak12: one requester's presses failed for minutes, and the log
    // could not say where).
    internal static string FailedAt(Exception ex)
    {
        var ours = (ex.StackTrace ?? "").Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith("at SupportBot.", StringComparison.Ordinal));
        return ours is null ? "?" : ours[3..].Split('(')[0];
    }

    static bool IsStorageFailure(Exception ex) => TableStorage.IsFailure(ex) || ex is TicketFilingInProgressException;
}
