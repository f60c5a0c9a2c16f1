using Azure;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// Found reading the code after the soak9 trace (helper-22): an instance killed after it showed the requester's card and
// stored its id, but before it queued the technicians' post, left a ticket no technician would see in the channel (and
// the SLA watch escalates only tickets with a channel card): Teams' redelivery found the card stored, answered "already
// shown" and stopped there.
public sealed class KilledBeforeChannelPostTests : InProcessBotTests
{
    const string Request = "the projector in room 7 is dead and the class is waiting right now";

    // Set once instance 0's write of the requester card's id has landed: from then on it is dead.
    volatile bool dead;

    protected override Action<IServiceCollection>? Overrides => services =>
        services.AddSingleton(TableFaults.Client(Azurite.ConnectionString, message =>
        {
            if (dead) throw new RequestFailedException(503, "injected: this instance was killed");
            return ValueTask.CompletedTask;
        }, message =>
        {
            // A write, not the point read that reading a ticket makes of its card rows.
            var wroteRequesterCard = message.Request.Method != RequestMethod.Get
                && (Uri.UnescapeDataString(message.Request.Uri.Path).Contains("card~requester", StringComparison.Ordinal)
                    || TableFaults.Body(message).Contains("card~requester", StringComparison.Ordinal));
            if (wroteRequesterCard && message.Response.Status is >= 200 and < 300) dead = true;
        }));

    [Fact]
    public async Task A_redelivered_emergency_whose_first_instance_died_after_storing_its_card_still_reaches_the_technicians_channel()
    {
        var killedConnector = Bot.Services.GetRequiredService<RecordingConnector>();
        killedConnector.AfterCall = _ => dead ? throw new HttpRequestException("injected: this instance was killed") : Task.CompletedTask;
        await using var other = await InProcessConversation.StartBotAsync(Azurite.ConnectionString);
        other.Services.GetRequiredService<RecordingConnector>().IdPrefix = "other-";
        var store = other.Services.GetRequiredService<SupportBot.Tickets.ITicketStore>();

        try { await new InProcessConversation(Bot.Services).SendAsync(Request, activityId: "redelivered"); }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException) { }
        Assert.True(dead, "instance 0 never stored the card's id");
        var number = Assert.Single(await store.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        Assert.NotNull((await store.GetAsync(number, CancellationToken.None))!.RequesterCard);
        Assert.Null((await store.GetAsync(number, CancellationToken.None))!.TechnicianCard);

        // Teams delivers the message again, to instance 1: the card is not shown twice, and the ticket reaches the channel.
        var requester = new InProcessConversation(other.Services);
        await requester.SendAsync(Request, activityId: "redelivered");
        Assert.DoesNotContain(requester.Replies, r => r.CardJson.Contains($"Ticket #{number}:"));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await store.GetAsync(number, CancellationToken.None))!.TechnicianCard is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"ticket #{number} never reached the technicians' channel");
            await Task.Delay(50);
        }
    }
}
