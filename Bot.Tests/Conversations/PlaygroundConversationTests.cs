using System.Text.Json.Nodes;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Conversations;

// The bot and a real Teams stand-in (the Agents Playground) talking over HTTP, with tables in Azurite.
public sealed class PlaygroundConversationTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    BotServer bot = null!;
    Playground playground = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });
        playground = await Playground.StartAsync(bot.MessagesEndpoint);
    }

    public async Task DisposeAsync()
    {
        await playground.DisposeAsync();
        await bot.DisposeAsync();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task Installing_the_bot_shows_the_welcome_card()
    {
        await playground.SendCustomActivityAsync("install");

        var welcome = await playground.NextAsync(e => e.Action == "createMessage" && e.Card is not null);
        Assert.Contains("IT help desk", welcome.CardText);
        Assert.Contains("emergency", welcome.CardText);
    }

    [Fact]
    public async Task A_message_gets_a_reply_card_and_Check_status_replaces_it_in_place()
    {
        await playground.SendMessageAsync("my projector is down");

        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Check status"));
        Assert.Contains("my projector is down", reply.CardText);

        var execute = reply.Card!["actions"]!.AsArray().Single(a => a!["type"]!.GetValue<string>() == "Action.Execute")!;
        var response = await playground.InvokeActionAsync(reply.MessageId!, execute["verb"]!.GetValue<string>(), execute["data"]);
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Contains("checked 1 time", body.ToJsonString());
    }

    [Fact]
    public async Task A_button_whose_data_names_another_requester_is_refused()
    {
        await playground.SendMessageAsync("printer jammed again");
        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Check status"));
        var execute = reply.Card!["actions"]!.AsArray().Single(a => a!["type"]!.GetValue<string>() == "Action.Execute")!;

        var forged = execute["data"]!.DeepClone();
        forged["requesterId"] = "user-id-1";

        var response = await playground.InvokeActionAsync(reply.MessageId!, execute["verb"]!.GetValue<string>(), forged);
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("checked 1 time", body);
        Assert.Contains("Only the person who made this request", body);
    }

    [Fact]
    public async Task A_proactive_message_is_created_then_updated_in_place()
    {
        await playground.SendMessageAsync("notify me");

        var created = await playground.NextAsync(e => e.Action == "createMessage" && e.Text?.Contains("sending") == true);
        var updated = await playground.NextAsync(e => e.Action == "updateMessage" && e.Text?.Contains("delivered") == true);
        Assert.Equal(created.MessageId, updated.MessageId);
    }
}
