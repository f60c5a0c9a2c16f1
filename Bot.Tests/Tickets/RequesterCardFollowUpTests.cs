using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Technicians;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// Found by the 30-minute soak (73 "Could not queue the update of the requester's card", 10 resolved tickets whose card
// still said "Waiting for you"): the change was saved, its card update could not be queued, and nothing queued it later.
public sealed class RequesterCardFollowUpTests : InProcessBotTests
{
    const string Technician = "user-id-0";
    volatile bool outboxDown;
    InProcessConversation? requesterOnce, channelOnce;
    InProcessConversation Requester => requesterOnce ??= new InProcessConversation(Bot.Services);
    InProcessConversation Channel => channelOnce ??= new InProcessConversation(Bot.Services, "team-id", conversationType: "channel");

    protected override Action<IServiceCollection>? Overrides => services =>
        services.AddSingleton(TableFaults.Client(Azurite.ConnectionString, message =>
        {
            if (outboxDown && TableFaults.Touches(message, "Outbox"))
                throw new RequestFailedException(503, "injected: the outbox tables are unavailable");
        }));

    [Fact]
    public async Task A_card_update_that_cannot_be_queued_is_queued_once_storage_is_back()
    {
        await Requester.SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        await Channel.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number }, userId: Technician);
        await Channel.PressAsync(TechnicianVerbs.Waiting, new JsonObject { ["ticket"] = number, ["note"] = "Which room exactly?" }, userId: Technician);
        await UntilAsync(() => LastCardUpdate()?.Contains("Waiting for you") == true);
        var updatesBefore = CardUpdates().Count;

        outboxDown = true;
        await Requester.SendAsync("it is room 12, the one by the window", activityId: "reply");
        await Task.Delay(TimeSpan.FromSeconds(3)); // a follow-up attempt or two while the outbox is still down
        outboxDown = false;

        await UntilAsync(() => CardUpdates().Count > updatesBefore && LastCardUpdate()?.Contains("Waiting for you") == false);
        Assert.Contains("With a technician", LastCardUpdate());
    }

    List<RecordedCall> CardUpdates() => [.. Requester.Calls.Where(c => c.Method == HttpMethod.Put && c.Path.Contains("personal-1") && c.Card is not null)];

    string? LastCardUpdate() => CardUpdates().LastOrDefault()?.CardJson;

    static async Task UntilAsync(Func<bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("Not seen within 20 s");
            await Task.Delay(50);
        }
    }
}
