using System.Text.Json;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Technicians;
using SupportBot.Tickets;

namespace SupportBot.Surveys;

// The clicks on a poll. Only the ticket's requester may answer, each question once, and only while the ticket is still
// at the resolution that asked; anything else (another user, a made-up ticket, an old card) changes nothing and says so.
// Each answer is written to the poll first; what follows from it (a history entry, the technicians' card, a message to
// whoever fixed it) is idempotent and re-run by a repeated click if the first one stopped halfway.
public sealed class PollAnswers(
    PollStore polls,
    ITicketStore tickets,
    TicketDesk desk,
    TechnicianDesk technicianDesk,
    RequesterUpdates requesterUpdates,
    Outbox outbox,
    TimeProvider clock)
{
    static readonly AdaptiveCardInvokeResponse BadData = AdaptiveCardInvokeResponse.Error(400, "BadRequest", "This card's data is incomplete or out of date, so nothing was recorded.");
    static readonly AdaptiveCardInvokeResponse NotYours = AdaptiveCardInvokeResponse.Error(400, "NotYours",
        "This poll is for the person who asked for help, so nothing was recorded.");

    public async Task<AdaptiveCardInvokeResponse> AnswerAsync(TurnContext turn, AdaptiveCardInvokeAction action, CancellationToken ct)
    {
        if (action.ReadData<PollActionData>() is not { Ticket: > 0, Resolution: > 0 } data) return BadData;
        var poll = await polls.GetAsync(data.Ticket, data.Resolution, ct);
        // A poll that does not exist and someone else's poll look the same: nothing about the ticket is given away.
        if (poll is null || poll.RequesterId != turn.Activity.From?.Id) return NotYours;
        var ticket = await tickets.GetAsync(poll.Ticket, ct);
        if (ticket is null || PollRecord.CurrentResolution(ticket) != poll.Resolution)
            return poll.NotFixedAt is not null
                ? AdaptiveCardInvokeResponse.Card(PollCards.Answered(poll, "You already told me it's not fixed, so nothing was changed."))
                : AdaptiveCardInvokeResponse.Error(400, "OutOfDate",
                    $"This poll is out of date: ticket #{poll.Ticket} has changed since I asked, so nothing was recorded.");
        var by = new Person(turn.Activity.From!.Id!, turn.Activity.From.Name, turn.Activity.From.AadObjectId);
        return action.Verb switch
        {
            PollVerbs.Rate => await RateAsync(ticket, poll, data.Rating, by, ct),
            PollVerbs.FirstTimeFix => await FirstTimeFixAsync(ticket, poll, data.Fixed, by, ct),
            PollVerbs.Comment => await CommentAsync(ticket, poll, data.Comment, by, ct),
            PollVerbs.NotFixed => await NotFixedAsync(ticket, poll, by, ct),
            _ => BadData,
        };
    }

    async Task<AdaptiveCardInvokeResponse> RateAsync(Ticket ticket, PollRecord poll, int rating, Person by, CancellationToken ct)
    {
        if (rating is < Ratings.Lowest or > Ratings.Highest) return BadData;
        var (answered, changed) = (await polls.UpdateAsync(poll.Ticket, poll.Resolution,
            p => p.Answered ? null : p with { Rating = rating, RatedAt = clock.GetUtcNow() }, ct))!.Value;
        if (answered.Rating is { } given)
        {
            var summary = $"Satisfaction: {given} of 5 ({Ratings.InWords(given)})";
            if (await NoteAsync(ticket, answered, "rating", by, summary, null, ct) is { } noted && answered.IsLow)
            {
                await technicianDesk.UpdateChannelCardAsync(noted, ct);
                await TellTechnicianAsync(noted, answered, "rating", $"rated the support {given} of 5 ({Ratings.InWords(given)})", ct);
            }
        }
        return AdaptiveCardInvokeResponse.Card(PollCards.Answered(answered, changed ? null
            : $"You already answered this poll ({(answered.Rating is { } r ? $"you said {Ratings.InWords(r)}" : "you said it's not fixed")}), so nothing was changed."));
    }

    async Task<AdaptiveCardInvokeResponse> FirstTimeFixAsync(Ticket ticket, PollRecord poll, string? answer, Person by, CancellationToken ct)
    {
        if (answer is not ("yes" or "no")) return BadData;
        if (poll.Rating is null) return AdaptiveCardInvokeResponse.Error(400, "RateFirst", "Choose how satisfied you were first.");
        var (answered, changed) = (await polls.UpdateAsync(poll.Ticket, poll.Resolution,
            p => p.FirstTimeFix is null ? p with { FirstTimeFix = answer == "yes", FirstTimeFixAt = clock.GetUtcNow() } : null, ct))!.Value;
        if (answered.FirstTimeFix == false)
            await NoteAsync(ticket, answered, "first-time", by, "Not fixed right the first time, said the requester", null, ct);
        return AdaptiveCardInvokeResponse.Card(PollCards.Answered(answered, changed ? null
            : $"You already answered that (you said {(answered.FirstTimeFix == true ? "Yes" : "No")}), so nothing was changed."));
    }

    async Task<AdaptiveCardInvokeResponse> CommentAsync(Ticket ticket, PollRecord poll, string? comment, Person by, CancellationToken ct)
    {
        var text = (comment ?? "").Trim();
        if (text.Length == 0) return AdaptiveCardInvokeResponse.Error(400, "Empty", "Type your comment in the box first, then press Send comment.");
        if (text.Length > PollCards.CommentChars) text = text[..PollCards.CommentChars];
        var (answered, changed) = (await polls.UpdateAsync(poll.Ticket, poll.Resolution,
            p => p.Comment is null ? p with { Comment = text, CommentAt = clock.GetUtcNow() } : null, ct))!.Value;
        if (await NoteAsync(ticket, answered, "comment", by, "Comment from the satisfaction poll", answered.Comment, ct) is { } noted)
            await technicianDesk.UpdateChannelCardAsync(noted, ct);
        return AdaptiveCardInvokeResponse.Card(PollCards.Answered(answered, changed ? null : "You already sent a comment, so nothing was changed."));
    }

    // Reopens the ticket (as the requester pressing Reopen would) and tells the technicians.
    async Task<AdaptiveCardInvokeResponse> NotFixedAsync(Ticket ticket, PollRecord poll, Person by, CancellationToken ct)
    {
        var (answered, changed) = (await polls.UpdateAsync(poll.Ticket, poll.Resolution,
            p => p.NotFixedAt is null ? p with { NotFixedAt = clock.GetUtcNow() } : null, ct))!.Value;
        await NoteAsync(ticket, answered, "not-fixed", by, "Not fixed, said the requester in the satisfaction poll", null, ct);
        var reopened = await desk.ReopenAsync(poll.Ticket, by, ct, $"{PollSender.PollKey(poll.Ticket, poll.Resolution)}|reopen");
        if (reopened.Ticket is { } now)
        {
            await requesterUpdates.UpdateCardAsync(now, ct);
            await technicianDesk.UpdateChannelCardAsync(now, ct);
            await TellTechnicianAsync(now, answered, "not-fixed", "says it's not fixed, so it is open again", ct);
        }
        return AdaptiveCardInvokeResponse.Card(PollCards.Answered(answered, changed ? null : "You already told me it's not fixed, so nothing was changed."));
    }

    // The answer in the ticket's history (technicians only), once per poll and kind. null when it was already there.
    async Task<Ticket?> NoteAsync(Ticket ticket, PollRecord poll, string kind, Person by, string summary, string? text, CancellationToken ct)
    {
        var changeId = $"{PollSender.PollKey(poll.Ticket, poll.Resolution)}|{kind}";
        if (ticket.History.Any(e => e.ChangeId == changeId)) return null;
        var result = await tickets.UpdateAsync(poll.Ticket, t => new TicketChange(t, [new NewEvent(by.TeamsId, by.Name, TicketEventKind.Feedback, summary, text)], changeId), ct);
        return result is { Changed: true } ? result.Ticket : null;
    }

    // A reply in the ticket's thread in the technicians' channel, mentioning whoever resolved it.
    async Task TellTechnicianAsync(Ticket ticket, PollRecord poll, string kind, string what, CancellationToken ct)
    {
        if (ticket.TechnicianCard is not { } card) return;
        var technician = poll.TechnicianId is { } id ? new ChannelAccount { Id = id, Name = poll.TechnicianName ?? "the technician" } : null;
        var who = technician is null ? "" : $"<at>{technician.Name}</at> ";
        var message = Activity.CreateMessage($"{who}Ticket #{ticket.Number} ({ticket.Title.Shorten(80)}): {poll.RequesterName ?? "the requester"} {what}.") with
        {
            Entities = technician is null ? null :
            [
                new Entity
                {
                    Type = "mention",
                    Properties = new()
                    {
                        ["mentioned"] = JsonSerializer.SerializeToElement(technician, ProtocolJson.Options),
                        ["text"] = JsonSerializer.SerializeToElement($"<at>{technician.Name}</at>"),
                    },
                },
            ],
        };
        await outbox.EnqueueSendAsync(new OutboxTarget(card.ServiceUrl, $"{card.ConversationId};messageid={card.ActivityId}"), message,
            $"{PollSender.PollKey(poll.Ticket, poll.Resolution)}|tell|{kind}", ct);
    }
}
