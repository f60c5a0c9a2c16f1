using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Proactive;
using SupportBot.Surveys;
using SupportBot.Technicians;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// Found by the 30-minute chaos soak (soak8): a technician's change that reached the requester late, or not at all.
// - "every resolution asked its poll": #5120, #6008, #6484, #7948, #8040 were resolved within seconds of being shown to
//   the requester, while the card's id had not been stored yet (the turn's deadline or a storage restart): the
//   resolution found no requester card, so no card update and no poll, and the follow-up that stored the id later
//   updated the card only.
// - "each requester card reached its last state": #4443 (New), #4315 and #7948 (In progress): a card update rendered
//   from a ticket read before the resolution was queued after the resolution's own update, and went out last.
public sealed class RequesterCatchUpTests : InProcessBotTests
{
    const string Technician = "user-id-0";
    const string Request = "the projector in room 5 is dead and the class is waiting right now";

    InProcessConversation? requesterOnce, channelOnce;
    InProcessConversation Requester => requesterOnce ??= new InProcessConversation(Bot.Services);
    InProcessConversation Channel => channelOnce ??= new InProcessConversation(Bot.Services, "team-id", conversationType: "channel");

    // Set: storing where the requester's card is fails (storage blips just as the card is shown).
    volatile bool cardIdDown;
    // Set: every write to the outbox fails.
    volatile bool outboxDown;
    // Set: the resolution's write waits until the follow-up has queued its card update (it read the ticket before).
    volatile bool resolutionWaits;
    readonly TaskCompletionSource followUpQueued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int ticketNumber;
    // Set: the next requester-card update of ticketNumber queued is held on its way to storage until released.
    TaskCompletionSource<string>? held;
    TaskCompletionSource? release;

    protected override Action<IServiceCollection>? Overrides => services =>
        services.AddSingleton(TableFaults.Client(Azurite.ConnectionString, async message =>
        {
            var path = Uri.UnescapeDataString(message.Request.Uri.Path);
            var batch = TableFaults.BatchBody(message);
            // The card's id is inserted (its row key in the body), not upserted at its own address. Only the write fails:
            // reading a ticket reads its card rows too.
            if (cardIdDown && message.Request.Method != RequestMethod.Get && (path.Contains("card~requester", StringComparison.Ordinal) || TableFaults.Body(message).Contains("card~requester", StringComparison.Ordinal)))
                throw new RequestFailedException(503, "injected: storage unavailable");
            if (outboxDown && TableFaults.Touches(message, "Outbox"))
                throw new RequestFailedException(503, "injected: the outbox tables are unavailable");
            var cardUpdate = batch.Contains("\"Kind\":\"update\"", StringComparison.Ordinal)
                && batch.Contains($"ticket-{ticketNumber}-", StringComparison.Ordinal) && batch.Contains("requester-card", StringComparison.Ordinal);
            if (cardUpdate)
                followUpQueued.TrySetResult();
            if (cardUpdate && Interlocked.Exchange(ref held, null) is { } hold)
            {
                hold.TrySetResult(batch);
                await release!.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
            if (resolutionWaits && batch.Contains("\"Kind\":\"Resolved\"", StringComparison.Ordinal))
            {
                // The resolution read the ticket before the card's id was stored; the follow-up stores it now and reads
                // the ticket before this write lands.
                resolutionWaits = false;
                cardIdDown = false;
                await followUpQueued.Task.WaitAsync(TimeSpan.FromSeconds(20));
            }
        }, _ => { }));

    // #5120 and others: resolved a second after being shown, before the follow-up stored the card's id.
    [Fact]
    public async Task A_ticket_resolved_before_its_card_id_is_stored_gets_its_poll_and_resolved_card_once_it_is()
    {
        cardIdDown = true;
        var number = await FileAsync();
        Assert.Null((await Tickets.GetAsync(number, CancellationToken.None))!.RequesterCard);

        await ResolveAsync(number);
        cardIdDown = false;

        await UntilAsync(() => PollsSent(number) > 0, "the poll");
        await UntilAsync(() => LastCardUpdate(number)?.Contains("(Resolved)") == true, "the resolved card");
        await Task.Delay(500);
        Assert.Equal(1, PollsSent(number));
    }

    // #7948: the follow-up stored the id and read the ticket (in progress) just before the resolution was written, and the
    // resolution had read the ticket just before the id was stored: each missed the other.
    [Fact]
    public async Task A_resolution_racing_the_follow_up_that_stores_the_card_id_still_reaches_the_requester()
    {
        cardIdDown = true;
        var number = await FileAsync();
        ticketNumber = number;
        resolutionWaits = true;

        await ResolveAsync(number);

        await UntilAsync(() => PollsSent(number) > 0, "the poll");
        await UntilAsync(() => LastCardUpdate(number)?.Contains("(Resolved)") == true, "the resolved card");
    }

    // #4315: the requester's answer was saved but its card update could not be queued; the follow-up read the ticket
    // (in progress) and its update reached storage only after the resolution's update had been shown.
    [Fact]
    public async Task A_card_update_queued_late_from_an_earlier_read_does_not_take_the_card_back()
    {
        await Requester.SendAsync(Request);
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        ticketNumber = number;
        await Channel.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" }, userId: Technician);
        await UntilAsync(() => LastCardUpdate(number)?.Contains("(Waiting for you)") == true, "the waiting card");

        outboxDown = true;
        await Requester.SendAsync("it is room 12, the one by the window", activityId: "answer");
        outboxDown = false;
        Assert.Contains($"added that to ticket #{number}", Requester.Replies[^1].Text);
        var stale = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        held = stale;
        var staleBatch = await stale.Task.WaitAsync(TimeSpan.FromSeconds(15)); // the follow-up's, 2 s on

        await ResolveAsync(number);
        await UntilAsync(() => LastCardUpdate(number)?.Contains("(Resolved)") == true, "the resolved card");
        release.SetResult();

        var key = Regex.Match(staleBatch, "\"DedupeKey\":\"([^\"]+)\"").Groups[1].Value;
        var outbox = Bot.Services.GetRequiredService<Outbox>();
        var target = new OutboxTarget(InProcessConversation.ServiceUrl, "a:personal-1");
        var watch = Stopwatch.StartNew();
        while ((await outbox.GetStatusAsync(target, key, CancellationToken.None))?.State is null or OutboxState.Pending)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"{key} still pending");
            await Task.Delay(50);
        }
        Assert.Contains("(Resolved)", LastCardUpdate(number));
    }

    async Task<int> FileAsync()
    {
        await Requester.SendAsync(Request);
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        Assert.Contains($"Ticket #{number}", Requester.Replies[^1].CardJson);
        return number;
    }

    async Task ResolveAsync(int number)
    {
        var answer = await Channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Replaced the lamp." }, userId: Technician);
        Assert.DoesNotContain(TechnicianDesk.NotPassedOn, answer.ToJsonString());
    }

    int PollsSent(int number) => Requester.Calls.Count(c => c.Method == HttpMethod.Post && c.Path.Contains("personal-1")
        && c.CardJson.Contains(PollCards.Question) && c.CardJson.Contains($"\"ticket\":{number}"));

    // The requester's ticket card as the last update left it (its fallback text ends with the status in words).
    string? LastCardUpdate(int number) => Requester.Calls.LastOrDefault(c => c.Method == HttpMethod.Put && c.Path.Contains("personal-1")
        && c.CardJson.Contains($"Ticket #{number}:"))?.CardJson;

    static async Task UntilAsync(Func<bool> done, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException($"Not seen within 20 s: {what}");
            await Task.Delay(50);
        }
    }
}
