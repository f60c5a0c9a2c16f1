using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// A turn cut off (its deadline passed) after it filed the ticket but before the user saw it: the user is told
// "not saved" and sends the same request again.
public sealed class CutOffTurnTests : InProcessBotTests
{
    const string Request = "the projector in room 5 is dead and the class is waiting right now";
    // Armed for one turn: cancelled as the ticket's index rows (written just after the ticket itself) go out.
    CancellationTokenSource? cutAfterFiling;
    InProcessConversation? chatOnce;
    InProcessConversation Chat => chatOnce ??= new InProcessConversation(Bot.Services);
    InProcessConversation? channelOnce;
    InProcessConversation Channel => channelOnce ??= new InProcessConversation(Bot.Services, "team-id", conversationType: "channel");

    Task<JsonNode> TechnicianPressesAsync(string verb, JsonObject data) => Channel.PressAsync(verb, data, userId: "user-id-0");

    // Set: the mark that a request was answered fails (storage blips as the turn ends).
    bool answeredMarkFails;
    // Set: the index rows of a resolved ticket cannot be written (the ticket itself is saved; its projections are not).
    bool resolvedIndexWritesFail;
    // Set: runs once, just before the requester's details are saved (a technician resolving the ticket at that moment).
    Func<Task>? beforeDetailsSaved;
    // Set: linking a requester's message to the ticket it answers fails (storage goes away before anything is saved).
    bool answerLinkFails;
    // Set: reading which ticket a request became fails (storage goes away as the message's turn looks it up).
    bool requestLookupFails;

    protected override Action<IServiceCollection>? Overrides => services =>
        services.AddSingleton(TableFaults.Client(Azurite.ConnectionString, async message =>
        {
            if (TableFaults.BatchBody(message).Contains(nameof(TicketEventKind.RequesterDetails), StringComparison.Ordinal)
                && Interlocked.Exchange(ref beforeDetailsSaved, null) is { } meanwhile)
                await meanwhile();
            if (message.Request.Method == RequestMethod.Put && message.Request.Uri.Path.Contains("/TicketIndex(", StringComparison.Ordinal))
                cutAfterFiling?.Cancel();
            if (answerLinkFails && message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("/TicketRequests", StringComparison.Ordinal)
                && TableFaults.Body(message).Contains("\"reply\"", StringComparison.Ordinal))
                throw new Azure.RequestFailedException(503, "storage unavailable (test)");
            if (requestLookupFails && message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains("/TicketRequests(", StringComparison.Ordinal))
                throw new Azure.RequestFailedException(503, "storage unavailable (test)");
            if (answeredMarkFails && message.Request.Method == RequestMethod.Patch && message.Request.Uri.Path.Contains("/PendingRequests(", StringComparison.Ordinal))
                throw new Azure.RequestFailedException(503, "storage unavailable (test)");
            if (resolvedIndexWritesFail && message.Request.Method == RequestMethod.Put && message.Request.Uri.Path.Contains("/TicketIndex(", StringComparison.Ordinal)
                && TableFaults.Body(message).Contains("resolved", StringComparison.OrdinalIgnoreCase))
                throw new Azure.RequestFailedException(503, "storage unavailable (test)");
        }, _ => { }));

    // Found by bench/Chaos (30 duplicates in the soak): the second message, a new activity, filed a second ticket.
    [Fact]
    public async Task The_same_request_typed_again_after_a_turn_cut_off_after_filing_shows_that_ticket_and_files_no_second()
    {
        await SendCutOffAfterFilingAsync(Request, "first");
        var notSaved = Chat.Replies[^1].CardJson;
        Assert.Contains("Not saved yet", notSaved);
        var filed = Assert.Single(await StoredAsync()).Number;

        await Chat.SendAsync(Request, activityId: "typed-again");

        Assert.Equal(filed, Assert.Single(await StoredAsync()).Number);
        Assert.Contains($"Ticket #{filed}", Chat.Replies[^1].CardJson);

        // The first attempt's "Try again", pressed afterwards, leads to the same ticket too.
        var retry = JsonNode.Parse(notSaved)!["actions"]!.AsArray().First(a => a!["title"]!.GetValue<string>() == "Try again")!;
        var pressed = await Chat.PressAsync(retry["verb"]!.GetValue<string>(), retry["data"]!);
        Assert.Contains($"Ticket #{filed}", pressed.ToJsonString());
        Assert.Single(await StoredAsync());

        // Answered now: the same words sent later are a new request (a projector can die twice).
        await Chat.SendAsync(Request, activityId: "another-day");
        var mine = await StoredAsync();
        Assert.Equal([filed, filed + 1], mine.Select(t => t.Number));
    }

    // Found by bench/Chaos (soak, 2026-12-07): the retype was answered on one instance, then Teams delivered it again to
    // the other, which saw the request answered and took the retype for a new request: a second ticket, never shown.
    [Fact]
    public async Task A_request_typed_again_then_delivered_again_after_it_was_answered_files_no_second_ticket()
    {
        await SendCutOffAfterFilingAsync(Request, "first");
        var filed = Assert.Single(await StoredAsync()).Number;
        await Chat.SendAsync(Request, activityId: "typed-again");
        Assert.Contains($"Ticket #{filed}", Chat.Replies[^1].CardJson);

        var repliesBefore = Chat.Replies.Count;
        await Chat.SendAsync(Request, activityId: "typed-again");

        Assert.Equal(filed, Assert.Single(await StoredAsync()).Number);
        Assert.DoesNotContain(Chat.Replies.Skip(repliesBefore), r => r.CardJson?.Contains("Ticket #") == true);
    }

    // Found by bench/Chaos (soak): the first turn showed the ticket but its "answered" mark was lost, so the same words
    // typed minutes later for a new problem were shown the old ticket, resolved by then, and nothing new was filed.
    [Fact]
    public async Task The_same_words_after_the_earlier_ticket_was_resolved_are_a_new_request_even_if_the_answer_was_never_marked()
    {
        var first = await ResolvedRequestNeverMarkedAnsweredAsync();

        await Chat.SendAsync(Request, activityId: "dead-again");

        var mine = await StoredAsync();
        Assert.Equal([first, first + 1], mine.Select(t => t.Number));
        Assert.Contains($"Ticket #{first + 1}", Chat.Replies[^1].CardJson);
        // And a redelivery of that message is still the new request.
        await Chat.SendAsync(Request, activityId: "dead-again");
        Assert.Equal(2, (await StoredAsync()).Count);
    }

    // Found by bench/Chaos (soak10): the same words 13 minutes after a ticket whose answer was never marked; the message's
    // turn was cut off before it could see that ticket was resolved, and its "Try again" showed the resolved ticket
    // instead of filing a new one (the requester's next answer then became a ticket of its own).
    [Fact]
    public async Task Try_again_on_the_same_words_after_the_earlier_ticket_was_resolved_files_a_new_ticket()
    {
        var first = await ResolvedRequestNeverMarkedAnsweredAsync();

        requestLookupFails = true;
        await Chat.SendAsync(Request, activityId: "dead-again");
        requestLookupFails = false;
        var notSaved = Chat.Replies[^1].CardJson;
        Assert.Contains("Not saved yet", notSaved);

        var retry = JsonNode.Parse(notSaved)!["actions"]!.AsArray().First(a => a!["title"]!.GetValue<string>() == "Try again")!;
        var pressed = await Chat.PressAsync(retry["verb"]!.GetValue<string>(), retry["data"]!);

        Assert.Contains($"Ticket #{first + 1}", pressed.ToJsonString());
        Assert.Equal([first, first + 1], (await StoredAsync()).Select(t => t.Number));
    }

    // The request filed and shown, its "answered" mark lost to storage, and its ticket then resolved.
    async Task<int> ResolvedRequestNeverMarkedAnsweredAsync()
    {
        answeredMarkFails = true;
        await Chat.SendAsync(Request, activityId: "first");
        answeredMarkFails = false;
        var first = Assert.Single(await StoredAsync()).Number;
        Assert.Contains($"Ticket #{first}", Chat.Replies[^1].CardJson);
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = first, ["resolution"] = "Swapped the lamp." });
        return first;
    }

    // Found by bench/Chaos (soak): the resolution was saved but its index rows were not, so the requester's index still
    // said "waiting for you", and their next message, "how do I connect to the wifi", was added to the resolved ticket.
    [Fact]
    public async Task A_ticket_the_index_still_shows_waiting_after_it_was_resolved_does_not_take_the_next_message()
    {
        var number = await TicketWaitingOnTheRequesterAsync();
        resolvedIndexWritesFail = true;
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Swapped the lamp." });
        Assert.Equal(TicketStatus.Resolved, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);
        Assert.Contains(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None), t => t.Status == TicketStatus.WaitingOnRequester);

        resolvedIndexWritesFail = false;
        var repliesBefore = Chat.Replies.Count;
        await Chat.SendAsync("how do I connect to the wifi", activityId: "a-new-question");

        var answer = Assert.Single(Chat.Replies.Skip(repliesBefore));
        Assert.DoesNotContain($"ticket #{number}", (answer.Text ?? "") + answer.CardJson, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain((await Tickets.GetAsync(number, CancellationToken.None))!.History, e => e.Text == "how do I connect to the wifi");
    }

    // The same for an answer to a technician's question: the cut-off turn had added it, so the answer typed again was
    // added a second time (here, where the index still says "waiting") or, once the ticket was no longer waiting, taken
    // for a new request (the soak's "it is room 12, the one by the window" tickets).
    [Fact]
    public async Task An_answer_to_a_technician_typed_again_after_a_turn_cut_off_is_added_once_and_files_nothing()
    {
        var number = await TicketWaitingOnTheRequesterAsync();
        const string answer = "it is room 12, the one by the window";

        await SendCutOffAfterFilingAsync(answer, "answer-cut-off");
        Assert.Contains("Not saved yet", Chat.Replies[^1].CardJson);
        await Chat.SendAsync(answer, activityId: "answer-typed-again");

        Assert.Single(await StoredAsync());
        Assert.Single((await Tickets.GetAsync(number, CancellationToken.None))!.History, e => e.Text == answer);
        Assert.Contains($"added that to ticket #{number}", Chat.Replies[^1].Text);
    }

    // A turn that finished, delivered again (Teams retries when its answer came late): the request's row is kept once
    // answered, so the redelivery is known as one and looks up what the first delivery did, though the ticket has stopped
    // waiting on the requester since.
    [Fact]
    public async Task An_answer_to_a_technician_delivered_again_after_its_turn_finished_is_added_once_and_files_nothing()
    {
        var number = await TicketWaitingOnTheRequesterAsync();
        const string answer = "room 12, next to the library";
        await Chat.SendAsync(answer, activityId: "answer");
        Assert.Contains($"added that to ticket #{number}", Chat.Replies[^1].Text);
        Assert.NotEqual(TicketStatus.WaitingOnRequester, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);

        var repliesBefore = Chat.Replies.Count;
        await Chat.SendAsync(answer, activityId: "answer");

        Assert.Single(await StoredAsync());
        Assert.Single((await Tickets.GetAsync(number, CancellationToken.None))!.History, e => e.Text == answer);
        Assert.Contains($"added that to ticket #{number}", Assert.Single(Chat.Replies.Skip(repliesBefore)).Text);
    }

    // Found by bench/Chaos (soak): an answer whose turn was cut off stays "unanswered" for a while, and the same words
    // typed later to answer another ticket's question were taken for that old answer ("added to #A", A long resolved).
    [Fact]
    public async Task The_same_words_answering_a_newer_question_go_to_the_ticket_that_asked_it()
    {
        var first = await TicketWaitingOnTheRequesterAsync();
        const string answer = "yes, the one by the window";
        await SendCutOffAfterFilingAsync(answer, "answer-cut-off");
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = first, ["resolution"] = "Swapped the lamp." });
        Assert.Equal(TicketStatus.Resolved, (await Tickets.GetAsync(first, CancellationToken.None))!.Status);

        await Chat.SendAsync("the smartboard in room 9 is dead and the class is waiting right now", activityId: "second-request");
        var second = (await StoredAsync()).Max(t => t.Number);
        Assert.NotEqual(first, second);
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = second, ["note"] = "The one by the window?" });
        await Chat.SendAsync(answer, activityId: "answer-to-the-second");

        Assert.Contains($"added that to ticket #{second}", Chat.Replies[^1].Text);
        Assert.Single((await Tickets.GetAsync(second, CancellationToken.None))!.History, e => e.Text == answer);
        Assert.Single((await Tickets.GetAsync(first, CancellationToken.None))!.History, e => e.Text == answer);
    }

    // Found by bench/Chaos (soak 8, 27 times): the technician's "waiting" was saved and projected, then an older state of
    // the ticket's index row landed over it (a slow instance's projection, or a timed-out write storage carried out
    // later: nobody was left to re-check it). The answer's first turn failed before it was linked to the ticket, and its
    // "Try again" found no ticket the index called waiting: it filed "it is room 12, the one by the window" as a new ticket.
    [Fact]
    public async Task An_answer_whose_ticket_the_index_shows_behind_is_still_added_to_the_ticket_waiting_for_it()
    {
        await Chat.SendAsync(Request);
        var number = Assert.Single(await StoredAsync()).Number;
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number });
        var behind = await RequesterIndexRowAsync(number);
        Assert.Contains(nameof(TicketStatus.InProgress), behind.GetString("Summary"));
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" });
        Assert.Equal(TicketStatus.WaitingOnRequester, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);

        const string answer = "it is room 12, the one by the window";
        answerLinkFails = true;
        await Chat.SendAsync(answer, activityId: "answer");
        answerLinkFails = false;
        var notSaved = Chat.Replies[^1].CardJson;
        Assert.Contains("Not saved yet", notSaved);
        // The assignment's projection lands late, over the "waiting" one.
        await IndexTable.UpsertEntityAsync(behind, Azure.Data.Tables.TableUpdateMode.Replace);
        Assert.DoesNotContain(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None), t => t.Status == TicketStatus.WaitingOnRequester);
        var retry = JsonNode.Parse(notSaved)!["actions"]!.AsArray().First(a => a!["title"]!.GetValue<string>() == "Try again")!;
        var pressed = (await Chat.PressAsync(retry["verb"]!.GetValue<string>(), retry["data"]!)).ToJsonString();

        Assert.DoesNotContain($"Ticket #{number + 1}", pressed);
        Assert.Contains($"added that to ticket #{number}", pressed);
        Assert.Single(await StoredAsync());
        Assert.Single((await Tickets.GetAsync(number, CancellationToken.None))!.History, e => e.Text == answer);

        // And the same answer typed as a new message (no Try again) goes there too, not to a new ticket.
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "And which floor?" });
        await IndexTable.UpsertEntityAsync(behind, Azure.Data.Tables.TableUpdateMode.Replace);
        await Chat.SendAsync("the second floor", activityId: "second-answer");
        Assert.Contains($"added that to ticket #{number}", Chat.Replies[^1].Text);
        Assert.Single(await StoredAsync());
    }

    Azure.Data.Tables.TableClient IndexTable => new Azure.Data.Tables.TableServiceClient(Azurite.ConnectionString).GetTableClient("TicketIndex");

    // The requester's index row of a ticket, as a projection wrote it.
    async Task<Azure.Data.Tables.TableEntity> RequesterIndexRowAsync(int number)
    {
        var inverted = (int.MaxValue - number).ToString("D10");
        await foreach (var row in IndexTable.QueryAsync<Azure.Data.Tables.TableEntity>(e => e.RowKey == inverted))
            if (row.PartitionKey.StartsWith("requester~", StringComparison.Ordinal)) return row;
        throw new InvalidOperationException($"No requester index row for ticket {number}");
    }

    // The ticket was waiting on them when their answer came, and resolved a moment later, before the answer was saved:
    // the answer was refused, yet they were thanked for it as added.
    [Fact]
    public async Task An_answer_refused_because_the_ticket_was_resolved_meanwhile_is_not_thanked_as_added()
    {
        var number = await TicketWaitingOnTheRequesterAsync();
        beforeDetailsSaved = () => Tickets.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.Resolved },
            [new NewEvent("user-id-0", "Tess", TicketEventKind.Resolved, "Resolved", "Swapped the lamp.")]), CancellationToken.None);

        await Chat.SendAsync("it is room 12, the one by the window", activityId: "late-answer");

        Assert.Null(beforeDetailsSaved);
        var said = Chat.Replies[^1].Text ?? "";
        Assert.DoesNotContain("added that", said);
        Assert.Contains("resolved", said);
        Assert.DoesNotContain((await Tickets.GetAsync(number, CancellationToken.None))!.History, e => e.Kind == TicketEventKind.RequesterDetails);
    }

    // The turn's deadline passes as the ticket's index rows go out (after the ticket, or the answer, was saved).
    async Task SendCutOffAfterFilingAsync(string text, string activityId)
    {
        cutAfterFiling = new CancellationTokenSource();
        await Chat.SendAsync(text, activityId: activityId, turnToken: cutAfterFiling.Token);
        cutAfterFiling = null;
    }

    // The request filed, then a technician asks "Which room exactly?": the requester's next message answers it.
    async Task<int> TicketWaitingOnTheRequesterAsync()
    {
        await Chat.SendAsync(Request);
        var number = Assert.Single(await StoredAsync()).Number;
        await TechnicianPressesAsync(SupportBot.Technicians.TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" });
        return number;
    }

    // From the tickets themselves: the cut-off turn never wrote the index rows that "my tickets" reads.
    async Task<List<Ticket>> StoredAsync()
    {
        var all = new List<Ticket>();
        await foreach (var t in Tickets.ExportAsync(CancellationToken.None)) all.Add(t);
        return all;
    }
}
