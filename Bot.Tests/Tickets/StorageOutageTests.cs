using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// Azurite stopped in the middle of a conversation, then started again with its data.
public sealed class StorageOutageTests() : InProcessBotTests(azuriteOnDisk: true)
{
    InProcessConversation? chatOnce;
    InProcessConversation chat => chatOnce ??= new InProcessConversation(Bot.Services);

    [Fact]
    public async Task With_storage_down_the_user_is_told_nothing_was_saved_and_Try_again_later_files_exactly_one_ticket()
    {
        var tickets = Tickets;
        await chat.SendAsync("the projector just died and my class is waiting right now");
        var first = Assert.Single(await tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;

        await Azurite.StopAsync();
        const string typed = "the whole school has lost the internet right now";
        await chat.SendAsync(typed, activityId: "during-outage");

        var notSaved = chat.Replies[^1].Card!;
        Assert.Contains("Not saved yet", notSaved.ToJsonString());
        Assert.Contains(typed, notSaved.ToJsonString());
        var retry = FindAction(notSaved, "Try again");

        var stillDown = await chat.PressAsync(retry["verb"]!.GetValue<string>(), retry["data"]!);
        Assert.Contains("StorageUnavailable", stillDown.ToJsonString());
        // A press cut off by storage may have done its work already, so the answer promises safety, not "nothing changed".
        Assert.Contains("press the button again in a minute: it is never done twice", stillDown.ToJsonString());

        await Azurite.StartAsync();
        var answers = new List<JsonNode>();
        for (var i = 0; i < 3; i++) // pressed again and again
            answers.Add(await chat.PressAsync(retry["verb"]!.GetValue<string>(), retry["data"]!));

        var mine = await tickets.ListByRequesterAsync("user-1", CancellationToken.None);
        Assert.Equal(2, mine.Count);
        Assert.Contains(mine, t => t.Number == first); // what was stored before the outage is still there
        var filed = mine.Single(t => t.Number != first);
        Assert.Equal(first + 1, filed.Number);
        Assert.Equal(typed, (await tickets.GetAsync(filed.Number, CancellationToken.None))!.Problem);
        Assert.All(answers, a => Assert.Contains($"Ticket #{filed.Number}", a.ToJsonString()));
    }

    // Found by bench/Chaos (Azurite restarted during the traffic: a resolved ticket whose card still said "New" and whose
    // satisfaction poll never came): the card was shown, then storage went away before its message id was stored, and
    // nothing stored it later, so no change could update the card and the poll had nowhere to go.
    [Fact]
    public async Task Storage_lost_just_after_the_ticket_card_was_shown_the_card_id_and_the_technicians_post_follow_once_it_is_back()
    {
        var connector = Bot.Services.GetRequiredService<RecordingConnector>();
        connector.AfterCall = async call =>
        {
            if (!call.IsReply || !call.CardJson.Contains("Ticket #")) return;
            connector.AfterCall = null;
            await Azurite.StopAsync();
        };

        await chat.SendAsync("the projector just died and my class is waiting right now");
        Assert.Contains("Ticket #1001", chat.Replies[^1].CardJson);
        await Azurite.StartAsync();

        var ticket = await TicketWhenAsync(1001, t => t.RequesterCard is not null && t.TechnicianCard is not null, TimeSpan.FromSeconds(30));
        Assert.Equal("a:personal-1", ticket.RequesterCard!.ConversationId);
        Assert.StartsWith("msg-", ticket.RequesterCard.ActivityId);
    }

    static JsonNode FindAction(JsonNode card, string title) =>
        card["actions"]!.AsArray().First(a => a!["title"]!.GetValue<string>() == title)!;
}
