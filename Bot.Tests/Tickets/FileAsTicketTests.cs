using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Tickets;

// "File as ticket" from a message's "..." menu, through the Agents Playground (which relays composeExtension invokes
// to the bot like Teams does) with the message payload Teams sends: the author named by their Entra object id.
public sealed class FileAsTicketPlaygroundTests : IAsyncLifetime
{
    const string MeganAadId = "00000000-0000-0000-0000-0000000000021";
    LocalStack stack = null!;
    Playground playground => stack.Playground;
    ITicketStore Tickets => stack.Bot.Services.GetRequiredService<ITicketStore>();

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: true);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task A_technician_files_a_colleagues_message_as_a_ticket_for_them_once()
    {
        var payload = MessageActions.Payload(MeganAadId, "Megan Bowen", "<p>The projector in room 5 just died<br>and my class is waiting right now</p>");

        var dialog = await playground.InvokeMessageActionAsync(InvokeNames.MessageActionFetchTask, MessageActions.Value(payload), "group-chat-id");

        Assert.Equal("continue", dialog["task"]?["type"]?.GetValue<string>());
        var card = dialog["task"]!["value"]!["card"]!["content"]!;
        var inputs = card["body"]!.AsArray();
        Assert.Contains("Megan Bowen", card.ToJsonString());
        Assert.Equal("The projector in room 5 just died\nand my class is waiting right now",
            inputs.First(i => i?["id"]?.GetValue<string>() == "problem")!["value"]!.GetValue<string>());
        Assert.Equal("emergency", inputs.First(i => i?["id"]?.GetValue<string>() == "urgency")!["value"]!.GetValue<string>());
        Assert.Empty(await Tickets.ListByRequesterAsync("user-id-1", CancellationToken.None));

        var submit = MessageActions.Value(payload, new JsonObject { ["problem"] = "The projector in room 5 just died, class waiting", ["urgency"] = "emergency" });
        var filed = await playground.InvokeMessageActionAsync(InvokeNames.MessageActionSubmit, submit, "group-chat-id");

        var summary = Assert.Single(await Tickets.ListByRequesterAsync("user-id-1", CancellationToken.None));
        Assert.Equal("message", filed["task"]?["type"]?.GetValue<string>());
        Assert.Contains($"Filed ticket #{summary.Number} for Megan Bowen", filed["task"]!["value"]!.GetValue<string>());
        var ticket = (await Tickets.GetAsync(summary.Number, CancellationToken.None))!;
        Assert.Equal(Urgency.Emergency, ticket.Urgency);
        Assert.Equal("The projector in room 5 just died, class waiting", ticket.Problem);
        Assert.Equal("Megan Bowen", ticket.Requester.Name);
        Assert.Equal(MeganAadId, ticket.Requester.AadObjectId);
        Assert.Equal("user-id-0", ticket.FiledBy?.TeamsId);
        Assert.Equal(MessageActions.Link, ticket.SourceMessageLink);

        var channelCard = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains($"Ticket #{ticket.Number}") && e.CardText.Contains("EMERGENCY"));
        Assert.Contains("Filed by Alex Wilber from Megan Bowen", channelCard.CardText);
        Assert.Contains(MessageActions.Link, channelCard.CardText);

        // Filed again (a second technician, or Teams redelivering the submit): still one ticket, and it says which.
        var again = await playground.InvokeMessageActionAsync(InvokeNames.MessageActionSubmit, submit, "group-chat-id", userId: "user-id-2");
        Assert.Contains($"already ticket #{ticket.Number}", again["task"]!["value"]!.GetValue<string>());
        Assert.Single(await Tickets.ListByRequesterAsync("user-id-1", CancellationToken.None));
    }

    [Fact]
    public async Task A_normal_question_is_suggested_as_normal_and_an_apps_message_cannot_be_filed()
    {
        var question = MessageActions.Payload(MeganAadId, "Megan Bowen", "<p>how do I add a shared mailbox in Outlook when I have a minute?</p>");
        var dialog = await playground.InvokeMessageActionAsync(InvokeNames.MessageActionFetchTask, MessageActions.Value(question), "group-chat-id");
        var urgency = dialog["task"]!["value"]!["card"]!["content"]!["body"]!.AsArray().First(i => i?["id"]?.GetValue<string>() == "urgency")!;
        Assert.Equal("normal", urgency["value"]!.GetValue<string>());

        var fromApp = JsonNode.Parse("""{ "id": "1733094000001", "from": { "application": { "id": "app-1", "displayName": "Polly" } }, "body": { "contentType": "html", "content": "<p>Vote now</p>" } }""")!;
        var refused = await playground.InvokeMessageActionAsync(InvokeNames.MessageActionFetchTask, MessageActions.Value(fromApp), "group-chat-id");
        Assert.Equal("message", refused["task"]?["type"]?.GetValue<string>());
        Assert.Contains("posted by an app", refused["task"]!["value"]!.GetValue<string>());
    }
}

// The same invokes in-process, for what the Playground cannot vary: odd payloads and who can be found.
public sealed class FileAsTicketEdgeTests() : InProcessBotTests
{
    [Fact]
    public async Task The_dialog_answer_for_every_unusable_message_says_why_and_files_nothing()
    {
        var chat = new InProcessConversation(Bot.Services, "19:chat@thread.v2", "groupChat");
        async Task<string> AskAsync(JsonNode value, string name = InvokeNames.MessageActionFetchTask)
        {
            var turn = await chat.RunAsync(MessageActions.Invoke(name, value), "29:technician");
            Assert.Equal(200, turn.InvokeResponse!.Status);
            var body = JsonSerializer.SerializeToNode(turn.InvokeResponse.Body, ProtocolJson.Options)!;
            Assert.Equal("message", body["task"]!["type"]!.GetValue<string>());
            return body["task"]!["value"]!.GetValue<string>();
        }

        var payload = MessageActions.Payload("aad-megan", "Megan", "<p>wifi down</p>");
        Assert.Contains("not supported", await AskAsync(MessageActions.Value(payload, commandId: "somethingElse")));
        Assert.Contains("\"...\" menu", await AskAsync(new JsonObject { ["commandId"] = FileAsTicket.CommandId, ["commandContext"] = "compose" }));
        Assert.Contains("no text", await AskAsync(MessageActions.Value(MessageActions.Payload("aad-megan", "Megan", "<p><img src=\"x.png\"></p>"))));
        Assert.Contains("a few words", await AskAsync(MessageActions.Value(payload, new JsonObject { ["problem"] = "   ", ["urgency"] = "normal" }), InvokeNames.MessageActionSubmit));
        Assert.Contains("too long", await AskAsync(MessageActions.Value(payload, new JsonObject { ["problem"] = new string('a', 4_001), ["urgency"] = "normal" }), InvokeNames.MessageActionSubmit));
        Assert.Empty(await Tickets.ListOpenAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_message_action_is_a_400_and_an_unknown_compose_invoke_a_501()
    {
        var chat = new InProcessConversation(Bot.Services, "19:chat@thread.v2", "groupChat");
        var malformed = await chat.RunAsync(new Activity { Type = ActivityTypes.Invoke, Name = InvokeNames.MessageActionSubmit, Id = "inv-x", Value = JsonSerializer.SerializeToElement("not an object") }, "29:technician");
        Assert.Equal(400, malformed.InvokeResponse!.Status);
        var query = await chat.RunAsync(new Activity { Type = ActivityTypes.Invoke, Name = "composeExtension/query", Id = "inv-y", Value = JsonSerializer.SerializeToElement(new { commandId = "x" }) }, "29:technician");
        Assert.Equal(501, query.InvokeResponse!.Status);
    }

    [Fact]
    public async Task The_author_is_filed_under_their_Teams_id_and_gets_their_card_through_the_outbox()
    {
        var chat = new InProcessConversation(Bot.Services, "19:chat@thread.v2", "groupChat");
        var payload = MessageActions.Payload("aad-megan", "Megan", "<p>my laptop won't turn on</p>");
        var turn = await chat.RunAsync(MessageActions.Invoke(InvokeNames.MessageActionSubmit,
            MessageActions.Value(payload, new JsonObject { ["problem"] = "my laptop won't turn on", ["urgency"] = "normal" })), "29:technician");

        var body = JsonSerializer.SerializeToNode(turn.InvokeResponse!.Body, ProtocolJson.Options)!;
        Assert.Contains("Filed ticket #", body["task"]!["value"]!.GetValue<string>());
        // The recording Connector answers a member lookup with that id as the member's Teams id.
        var ticket = Assert.Single(await Tickets.ListByRequesterAsync("aad-megan", CancellationToken.None));
        Assert.Equal(Urgency.Normal, ticket.Urgency);
        // Through the outbox: a 1:1 chat opened with the author, their card posted there, and its id kept for updates.
        await chat.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith("/v3/conversations") && c.Body?["members"]?[0]?["id"]?.GetValue<string>() == "aad-megan");
        var card = await chat.WaitForAsync(c => c.Method == HttpMethod.Post && c.CardJson.Contains($"Ticket #{ticket.Number}") && c.CardJson.Contains("filed this for you"));
        var deadline = DateTime.UtcNow.AddSeconds(20);
        Ticket? stored;
        while ((stored = await Tickets.GetAsync(ticket.Number, CancellationToken.None))?.RequesterCard is null && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.NotNull(stored?.RequesterCard);
        Assert.Contains(stored!.RequesterCard!.ConversationId, card.Path);
    }

    [Theory]
    [InlineData("<p>Hello&nbsp;<at id=\"0\">Sam</at>, the printer is jammed</p><p>again &amp; again</p>", "Hello Sam, the printer is jammed\nagain & again")]
    [InlineData("<div>line one<br/>line two</div><ul><li>a</li><li>b</li></ul>", "line one\nline two\na\nb")]
    [InlineData("<p><img src=\"a.png\"></p>", "")]
    public void Teams_html_becomes_the_plain_words_people_wrote(string html, string expected) =>
        Assert.Equal(expected, FileAsTicket.PlainText(new MessagePayloadBody("html", html)));
}

static class MessageActions
{
    public const string Link = "https://teams.microsoft.com/l/message/19:chat@thread.v2/1733094000000";

    public static JsonNode Payload(string authorAadId, string authorName, string html) => new JsonObject
    {
        ["id"] = "1733094000000",
        ["replyToId"] = null,
        ["createdDateTime"] = "2026-12-01T09:00:00.000Z",
        ["messageType"] = "message",
        ["importance"] = "normal",
        ["locale"] = "en-us",
        ["linkToMessage"] = Link,
        ["from"] = new JsonObject { ["user"] = new JsonObject { ["id"] = authorAadId, ["displayName"] = authorName, ["userIdentityType"] = "aadUser" } },
        ["body"] = new JsonObject { ["contentType"] = "html", ["content"] = html },
        ["attachments"] = new JsonArray(),
        ["mentions"] = new JsonArray(),
        ["reactions"] = new JsonArray(),
    };

    public static JsonObject Value(JsonNode payload, JsonNode? data = null, string commandId = FileAsTicket.CommandId)
    {
        var value = new JsonObject
        {
            ["commandId"] = commandId,
            ["commandContext"] = "message",
            ["context"] = new JsonObject { ["theme"] = "default" },
            ["messagePayload"] = payload.DeepClone(),
        };
        if (data is not null) value["data"] = data.DeepClone();
        return value;
    }

    public static Activity Invoke(string name, JsonNode value) => new()
    {
        Type = ActivityTypes.Invoke,
        Name = name,
        Id = "inv-" + Guid.NewGuid().ToString("N"),
        Value = JsonSerializer.SerializeToElement(value),
    };
}
