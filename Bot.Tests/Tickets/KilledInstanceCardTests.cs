using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Surveys;
using SupportBot.Technicians;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// Found by the 30-minute chaos soak (soak9): "#4676 (Resolved) card shows '(never updated)' (stored card fake-36867,
// shown to the user fake-36867)". Instance 0 filed the emergency, showed its card and was killed (SIGKILL) with the
// write of that card's id still on its way to storage; Teams delivered the message again to instance 1, which found no
// card id, showed a second card and stored its id. The technician's changes and the resolution (and its poll) went to
// that second card; then the killed instance's write landed and replaced the id, so the card the ticket names was one
// no change had reached, and nothing was left to update it.
public sealed class KilledInstanceCardTests : InProcessBotTests
{
    const string Request = "the projector in room 7 is dead and the class is waiting right now";
    const string Technician = "user-id-0";

    // Set as instance 0 sends the write of its card's id: from then on it is dead (nothing else reaches storage or the
    // Connector), but that one write is held on its way and lands when released.
    volatile bool dead;
    readonly TaskCompletionSource cardWriteSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource releaseCardWrite = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override Action<IServiceCollection>? Overrides => services =>
        services.AddSingleton(TableFaults.Client(Azurite.ConnectionString, async message =>
        {
            // A write, not the point read that reading a ticket makes of its card rows.
            var writesRequesterCard = message.Request.Method != RequestMethod.Get
                && (Uri.UnescapeDataString(message.Request.Uri.Path).Contains("card~requester", StringComparison.Ordinal)
                    || TableFaults.Body(message).Contains("card~requester", StringComparison.Ordinal));
            if (!dead && writesRequesterCard)
            {
                dead = true;
                cardWriteSent.TrySetResult();
                await releaseCardWrite.Task.WaitAsync(TimeSpan.FromSeconds(60));
                return;
            }
            if (dead) throw new RequestFailedException(503, "injected: this instance was killed");
        }, _ => { }));

    [Fact]
    public async Task A_card_id_written_by_a_killed_instance_after_the_ticket_was_worked_does_not_replace_the_card_the_changes_went_to()
    {
        var killedConnector = Bot.Services.GetRequiredService<RecordingConnector>();
        killedConnector.AfterCall = _ => dead ? throw new HttpRequestException("injected: this instance was killed") : Task.CompletedTask;
        await using var other = await InProcessConversation.StartBotAsync(Azurite.ConnectionString);
        var otherConnector = other.Services.GetRequiredService<RecordingConnector>();
        otherConnector.IdPrefix = "other-";
        var store = other.Services.GetRequiredService<SupportBot.Tickets.ITicketStore>();
        var requesterOnOther = new InProcessConversation(other.Services);
        var channelOnOther = new InProcessConversation(other.Services, "team-id", conversationType: "channel");

        // Instance 0 files it, shows its card and dies as it stores the card's id.
        var killedTurn = Task.Run(async () =>
        {
            try { await new InProcessConversation(Bot.Services).SendAsync(Request, activityId: "redelivered"); }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException) { }
        });
        await cardWriteSent.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var number = Assert.Single(await store.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        Assert.Contains(killedConnector.Calls, c => c.IsReply && c.CardJson.Contains($"Ticket #{number}:"));

        // Teams delivers the message again, to instance 1; the technician works the ticket there to its resolution.
        await requesterOnOther.SendAsync(Request, activityId: "redelivered");
        Assert.Contains($"Ticket #{number}:", requesterOnOther.Replies[^1].CardJson);
        await channelOnOther.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number }, userId: Technician);
        await channelOnOther.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room is it exactly?" }, userId: Technician);
        await requesterOnOther.SendAsync("it is room 12, the one by the window", activityId: "answer");
        Assert.Contains($"added that to ticket #{number}", requesterOnOther.Replies[^1].Text);
        var resolved = await channelOnOther.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Replaced the lamp." }, userId: Technician);
        Assert.DoesNotContain(TechnicianDesk.NotPassedOn, resolved.ToJsonString());
        await UntilAsync(() => otherConnector.Calls.Any(c => c.CardJson.Contains(PollCards.Question) && c.CardJson.Contains($"\"ticket\":{number}")), "the poll");
        await other.WaitForOutboxIdleAsync();

        // Only now does the killed instance's write of its card's id land.
        releaseCardWrite.SetResult();
        await killedTurn.WaitAsync(TimeSpan.FromSeconds(30));
        await other.WaitForOutboxIdleAsync();

        // The card the ticket names shows its last state (the soak's check: the last update of that card).
        var card = (await store.GetAsync(number, CancellationToken.None))!.RequesterCard;
        Assert.NotNull(card);
        var last = killedConnector.Calls.Concat(otherConnector.Calls)
            .LastOrDefault(c => c.Method == HttpMethod.Put && c.Path.EndsWith("/activities/" + card.ActivityId, StringComparison.Ordinal));
        Assert.True(last is not null, $"the stored card {card.ActivityId} was never updated");
        Assert.Contains("(Resolved)", last.CardJson);
    }

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
