using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Protocol;

// /api/messages in anonymous development mode facing whatever a client sends. Replies go to a fake connector on loopback.
public sealed class BadInputTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    readonly System.Collections.Concurrent.ConcurrentQueue<JsonNode> sent = new();
    BotServer bot = null!;
    WebApplication connector = null!;
    string connectorUrl = "";
    readonly HttpClient http = new();
    int connectorCalls;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        connector = builder.Build();
        connector.MapPost("/v3/conversations/{id}/activities/{activityId}", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref connectorCalls);
            sent.Enqueue((await JsonNode.ParseAsync(request.Body))!);
            return Results.Json(new { id = "reply-1" }, statusCode: 201);
        });
        connector.MapPost("/v3/conversations/{id}/activities", () => Results.Json(new { id = "sent-1" }, statusCode: 201));
        await connector.StartAsync();
        connectorUrl = connector.Urls.First();

        await azurite.InitializeAsync();
        bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["Messaging:MaxActivityBytes"] = "4096",
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
        });
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await bot.DisposeAsync();
        await connector.StopAsync();
        await connector.DisposeAsync();
        await azurite.DisposeAsync();
    }

    Task<HttpResponseMessage> PostAsync(string body) =>
        http.PostAsync(bot.MessagesEndpoint, new StringContent(body, Encoding.UTF8, "application/json"));

    JsonObject ValidMessage(string text = "hello") => new()
    {
        ["type"] = "message",
        ["id"] = "activity-1",
        ["channelId"] = "msteams",
        ["serviceUrl"] = connectorUrl,
        ["from"] = new JsonObject { ["id"] = "user-1", ["name"] = "Sam" },
        ["recipient"] = new JsonObject { ["id"] = "bot-1" },
        ["conversation"] = new JsonObject { ["id"] = "conv-1", ["conversationType"] = "personal" },
        ["text"] = text,
    };

    [Fact]
    public async Task A_valid_message_is_answered_through_the_connector()
    {
        var response = await PostAsync(ValidMessage().ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, connectorCalls);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[1,2,3]")]
    [InlineData("\"a string\"")]
    [InlineData("{\"type\": 5}")]
    public async Task Malformed_json_is_400(string body)
    {
        var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, connectorCalls);
    }

    [Theory]
    [InlineData("type")]
    [InlineData("channelId")]
    [InlineData("serviceUrl")]
    [InlineData("conversation")]
    [InlineData("from")]
    public async Task A_missing_required_field_is_400_and_named(string field)
    {
        var activity = ValidMessage();
        activity.Remove(field);

        var response = await PostAsync(activity.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
    }

    // Found by the fuzz below on some seeds ("entities":[null] was a NullReferenceException, a 500): a null in a list.
    [Theory]
    [InlineData("message", "entities")]
    [InlineData("message", "attachments")]
    [InlineData("conversationUpdate", "membersAdded")]
    [InlineData("conversationUpdate", "membersRemoved")]
    [InlineData("messageReaction", "reactionsAdded")]
    public async Task A_null_element_in_a_list_is_400_and_named(string type, string field)
    {
        var activity = ValidMessage();
        activity["type"] = type;
        activity[field] = new JsonArray((JsonNode?)null);

        var response = await PostAsync(activity.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, connectorCalls);
    }

    [Fact]
    public async Task An_oversized_body_is_413_with_a_reason()
    {
        var response = await PostAsync(ValidMessage(new string('x', 5000)).ToJsonString());
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("4096 bytes", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, connectorCalls);
    }

    [Fact]
    public async Task An_oversized_chunked_body_without_content_length_is_413()
    {
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(ValidMessage(new string('x', 5000)).ToJsonString())));
        content.Headers.ContentType = new("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, bot.MessagesEndpoint) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("ZZ\r\n{}\r\n0\r\n\r\n")] // a chunk size that is not hex
    [InlineData("2\r\n{}XX0\r\n\r\n")] // chunk data not followed by CRLF
    [InlineData("FFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n")] // a chunk size that overflows
    public async Task A_body_with_broken_chunk_framing_is_400_not_500(string chunkedBody)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(bot.MessagesEndpoint.Host, bot.MessagesEndpoint.Port);
        var stream = tcp.GetStream();
        var request = $"POST {bot.MessagesEndpoint.AbsolutePath} HTTP/1.1\r\nHost: {bot.MessagesEndpoint.Authority}\r\n" +
                      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedBody;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));

        // Kestrel closes the connection after a bad body, so the whole response is what arrives before the close.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = Encoding.UTF8.GetString(await ReadToCloseAsync(stream, timeout.Token));

        Assert.StartsWith("HTTP/1.1 400 ", response);
        Assert.Contains("application/problem+json", response);
        Assert.Equal(0, connectorCalls);
    }

    static async Task<byte[]> ReadToCloseAsync(Stream stream, CancellationToken ct)
    {
        using var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
            received.Write(buffer, 0, read);
        return received.ToArray();
    }

    [Fact]
    public async Task In_anonymous_mode_only_a_client_on_this_machine_is_answered()
    {
        var activity = ValidMessage();
        activity["serviceUrl"] = "https://smba.trafficmanager.net/teams/";

        var response = await PostAsync(activity.ToJsonString());

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("MicrosoftAppId", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, connectorCalls);
    }

    [Fact]
    public async Task An_unknown_activity_type_is_200_and_ignored()
    {
        var activity = ValidMessage();
        activity["type"] = "somethingNew";
        var response = await PostAsync(activity.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, connectorCalls);
    }

    [Fact]
    public async Task An_unknown_invoke_is_501_not_500()
    {
        var activity = ValidMessage();
        activity["type"] = "invoke";
        activity["name"] = "composeExtension/unknown";
        var response = await PostAsync(activity.ToJsonString());
        Assert.Equal(HttpStatusCode.NotImplemented, response.StatusCode);
    }

    [Fact]
    public async Task A_malformed_card_action_gets_a_400_card_error()
    {
        var activity = ValidMessage();
        activity["type"] = "invoke";
        activity["name"] = "adaptiveCard/action";
        activity["value"] = "not an object";
        var response = await PostAsync(activity.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, body["statusCode"]!.GetValue<int>());
        Assert.Equal("application/vnd.microsoft.error", body["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("""[{"type":"mention","text":5}]""")]
    [InlineData("""[{"type":"mention","mentioned":"not an account"}]""")]
    [InlineData("""[{"type":"mention","text":"<at>Bot</at>","mentioned":{"id":7}}]""")]
    public async Task A_malformed_mention_entity_is_ignored_not_a_500(string entities)
    {
        var activity = ValidMessage("<at>Bot</at> my tickets");
        activity["entities"] = JsonNode.Parse(entities);

        var response = await PostAsync(activity.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("tickets", Assert.Single(sent).ToJsonString());
    }

    [Fact]
    public async Task When_storage_hangs_the_turn_deadline_still_gets_the_user_a_not_saved_answer_not_a_500()
    {
        // A storage endpoint that accepts connections and never answers.
        using var stalled = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        stalled.Start();
        var held = new System.Collections.Concurrent.ConcurrentBag<System.Net.Sockets.TcpClient>();
        _ = Task.Run(async () => { try { while (true) held.Add(await stalled.AcceptTcpClientAsync()); } catch (Exception) { } });
        var port = ((IPEndPoint)stalled.LocalEndpoint).Port;
        await using var botWithStalledStorage = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{port}/"),
        });

        const string typed = "the whole school has lost the internet right now";
        var started = System.Diagnostics.Stopwatch.StartNew();
        var response = await PostAsync(botWithStalledStorage, ValidMessage(typed).ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Teams gives up on a turn after 15 s: the answer must come before that.
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"answered after {started.Elapsed}");
        var card = Assert.Single(sent)["attachments"]![0]!["content"]!.ToJsonString();
        Assert.Contains("Not saved yet", card);
        Assert.Contains(typed, card);
        stalled.Stop();
        foreach (var c in held) c.Dispose();
    }

    Task<HttpResponseMessage> PostAsync(BotServer target, string body) =>
        http.PostAsync(target.MessagesEndpoint, new StringContent(body, Encoding.UTF8, "application/json"));

    [Fact]
    public async Task When_storage_is_down_the_user_is_told_to_retry_and_gets_their_text_back()
    {
        await using var botWithoutStorage = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{FreePort.Next()}/"),
        });

        const string typed = "the printer in room 4 is jammed and the whole office needs it right now";
        var response = await http.PostAsync(botWithoutStorage.MessagesEndpoint,
            new StringContent(ValidMessage(typed).ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var card = Assert.Single(sent)["attachments"]![0]!["content"]!.ToJsonString();
        Assert.Contains("Not saved yet", card);
        Assert.Contains("Try again", card);
        Assert.Contains(typed, card);
    }

    [Fact]
    public async Task A_message_too_long_to_handle_is_refused_with_a_reason()
    {
        await using var roomyBot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });

        var response = await http.PostAsync(roomyBot.MessagesEndpoint,
            new StringContent(ValidMessage(new string('a', 30_000)).ToJsonString(), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = Assert.Single(sent)["text"]!.GetValue<string>();
        Assert.Contains("too long", reply);
        Assert.Contains("30,000 characters", reply);
    }

    [Fact]
    public void Unknown_properties_round_trip()
    {
        var activity = ValidMessage();
        activity["futureField"] = new JsonObject { ["nested"] = 1 };
        activity["from"]!["tenantSpecific"] = "x";

        var parsed = JsonSerializer.Deserialize<SupportBot.Protocol.Activity>(activity.ToJsonString(), SupportBot.Protocol.ProtocolJson.Options)!;
        var written = JsonNode.Parse(JsonSerializer.Serialize(parsed, SupportBot.Protocol.ProtocolJson.Options))!;

        Assert.Equal(1, written["futureField"]!["nested"]!.GetValue<int>());
        Assert.Equal("x", written["from"]!["tenantSpecific"]!.GetValue<string>());
    }

    [Fact]
    public async Task Random_json_never_gets_a_500()
    {
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        await AnyActivityish().SampleAsync(async body =>
        {
            var response = await PostAsync(body);
            statuses.Add((int)response.StatusCode);
            return ActivityFuzz.AcceptableStatus((int)response.StatusCode, Encoding.UTF8.GetBytes(body));
        }, iter: 300, threads: 1, seed: null);

        // The generator must reach the turn, not only the parser, for this to mean anything.
        Assert.Contains(200, statuses);
        Assert.Contains(400, statuses);
    }

    // Random JSON values, valid activities with fields replaced by random values, and card actions with forged data
    // (Infrastructure/ActivityFuzz, also used by the load tool with its larger mutations).
    Gen<string> AnyActivityish() => ActivityFuzz.Json(() => ValidMessage());

    [Fact]
    public async Task Huge_deep_unknown_and_broken_unicode_activities_never_get_a_500()
    {
        var statuses = new System.Collections.Concurrent.ConcurrentBag<int>();
        await ActivityFuzz.Bodies(() => ValidMessage()).SampleAsync(async body =>
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            var response = await http.PostAsync(bot.MessagesEndpoint, content);
            statuses.Add((int)response.StatusCode);
            return ActivityFuzz.AcceptableStatus((int)response.StatusCode, body);
        }, iter: 200, threads: 1, seed: null, print: b => Encoding.UTF8.GetString(b));

        Assert.Contains(200, statuses);
        Assert.Contains(400, statuses);
        Assert.Contains(413, statuses);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/healthz"))).StatusCode);
    }
}
