using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace SupportBot.Tests.Infrastructure;

// The Microsoft 365 Agents Playground (the local Teams client) on its own loopback port, pointed at a bot.
public sealed class Playground : IAsyncDisposable
{
    readonly NodeProcess process;
    readonly HttpClient http;
    readonly ClientWebSocket socket = new();
    readonly Channel<PlaygroundEvent> events = Channel.CreateUnbounded<PlaygroundEvent>();
    readonly CancellationTokenSource stop = new();
    Task? reader;

    Playground(NodeProcess process, int port)
    {
        this.process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }
    public Uri BaseAddress { get; }
    public JsonNode Config { get; private set; } = new JsonObject();
    public string PersonalChatId => Config["personalChat"]!["id"]!.GetValue<string>();
    public string CurrentUserId => Config["currentUser"]!["id"]!.GetValue<string>();

    public static async Task<Playground> StartAsync(Uri botMessagesEndpoint, bool connectStream = true)
    {
        var port = FreePort.Next();
        var preload = Path.Combine(TestPaths.RepoRoot, "tools", "force-localhost.cjs");
        var process = new NodeProcess("agentsplayground",
            ["--dt", "-p", port.ToString(), "-e", botMessagesEndpoint.ToString(), "--su", $"http://127.0.0.1:{port}/_connector"],
            new Dictionary<string, string> { ["NODE_OPTIONS"] = $"--require {preload}", ["TEAMSAPPTESTER_BROWSER"] = "none" });
        var playground = new Playground(process, port);
        await process.WaitUntilAsync(async () =>
            (await playground.http.GetStringAsync("/_debug/ping")).Contains("pong"), TimeSpan.FromSeconds(60), "Agents Playground");
        playground.Config = JsonNode.Parse(await playground.http.GetStringAsync("/_internal/v1/config"))!["config"]!;
        if (connectStream)
            await playground.ConnectStreamAsync();
        return playground;
    }

    async Task ConnectStreamAsync()
    {
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/_ws_conversation/v1/conversations/stream"), stop.Token);
        reader = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, stop.Token);
                        message.Write(buffer, 0, result.Count);
                    } while (!result.EndOfMessage);
                    if (result.MessageType == WebSocketMessageType.Close) break;
                    var node = JsonNode.Parse(Encoding.UTF8.GetString(message.ToArray()));
                    if (node is JsonObject obj)
                        await events.Writer.WriteAsync(new PlaygroundEvent(obj), stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or WebSocketException) { }
        });
    }

    // Waits for the next streamed event matching the predicate; earlier non-matching events are dropped.
    public async Task<PlaygroundEvent> NextAsync(Func<PlaygroundEvent, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var e = await events.Reader.ReadAsync(cts.Token);
                if (match(e)) return e;
                seen.Add(e.ToString());
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("No matching Playground event. Seen:\n" + string.Join("\n", seen) + "\nPlayground output:\n" + process.Output);
        }
    }

    // Waits until each predicate has matched a streamed event, in any order (messages to different conversations
    // leave the outbox independently); events matching none are dropped. Returns the matches in predicate order.
    public async Task<PlaygroundEvent[]> AllAsync(params Func<PlaygroundEvent, bool>[] matches)
    {
        var found = new PlaygroundEvent?[matches.Length];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = new List<string>();
        try
        {
            while (found.Any(f => f is null))
            {
                var e = await events.Reader.ReadAsync(cts.Token);
                var i = Enumerable.Range(0, matches.Length).FirstOrDefault(i => found[i] is null && matches[i](e), -1);
                if (i >= 0) found[i] = e;
                else seen.Add(e.ToString());
            }
            return found!;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Matched {found.Count(f => f is not null)} of {matches.Length}. Seen:\n" + string.Join("\n", seen) + "\nPlayground output:\n" + process.Output);
        }
    }

    public async Task<string> SendMessageAsync(string text, string? conversationId = null, string? userId = null)
    {
        var response = await http.PostAsJsonAsync($"/_conversation/v1/conversations/{conversationId ?? PersonalChatId}/messages",
            new { from = new { id = userId ?? CurrentUserId }, text, textFormat = "plain" });
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["messageId"]!.ToString();
    }

    public async Task<HttpResponseMessage> InvokeActionAsync(string replyToId, string verb, JsonNode? data, string? conversationId = null, string? userId = null)
    {
        var body = new JsonObject
        {
            ["name"] = "adaptiveCard/action",
            ["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = data?.DeepClone() }, ["trigger"] = "manual" },
            ["from"] = new JsonObject { ["id"] = userId ?? CurrentUserId },
            ["conversation"] = new JsonObject { ["id"] = conversationId ?? PersonalChatId },
            ["replyToId"] = replyToId,
        };
        return await http.PostAsJsonAsync("/_conversation/v1/invoke", body);
    }

    // A message action (composeExtension/fetchTask or submitAction) as Teams sends it from a message's "..." menu.
    public async Task<JsonNode> InvokeMessageActionAsync(string name, JsonNode value, string conversationId, string? userId = null)
    {
        var body = new JsonObject
        {
            ["name"] = name,
            ["value"] = value.DeepClone(),
            ["from"] = new JsonObject { ["id"] = userId ?? CurrentUserId },
            ["conversation"] = new JsonObject { ["id"] = conversationId },
        };
        var response = await http.PostAsJsonAsync("/_conversation/v1/invoke", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    public async Task SendCustomActivityAsync(string type, string? conversationId = null)
    {
        var template = await http.GetStringAsync($"/_internal/v1/customActivities/template?conversationId={conversationId ?? PersonalChatId}&type={type}");
        var response = await http.PostAsync("/_internal/v1/customActivities", new StringContent(template, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    // An activity from anyone (the REST message route only lets the current user speak in the personal chat).
    public async Task SendAsUserAsync(string userId, string text, string? conversationId = null)
    {
        var template = JsonNode.Parse(await http.GetStringAsync($"/_internal/v1/customActivities/template?conversationId={conversationId ?? PersonalChatId}"))!;
        var activity = template["activity"] ?? template;
        activity["type"] = "message";
        activity["text"] = text;
        activity["id"] = Guid.NewGuid().ToString("N");
        activity["from"] = new JsonObject { ["id"] = userId, ["name"] = userId };
        var response = await http.PostAsync("/_internal/v1/customActivities", new StringContent(template.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (reader is not null) await reader.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        socket.Dispose();
        http.Dispose();
        process.Dispose();
    }
}

public sealed record PlaygroundEvent(JsonObject Raw)
{
    public string? Action => Raw["action"]?.GetValue<string>();
    public JsonNode? Message => Raw["message"];
    public string? MessageId => Message?["messageId"]?.ToString() ?? Message?["id"]?.ToString();
    public string? Text => Message?["text"]?.ToString();
    public JsonNode? Card => Message?["attachments"]?.AsArray()
        .FirstOrDefault(a => a?["contentType"]?.GetValue<string>() == "application/vnd.microsoft.card.adaptive")?["content"];
    public string CardText => Card?.ToJsonString() ?? "";
    public override string ToString() => Raw.ToJsonString()[..Math.Min(400, Raw.ToJsonString().Length)];
}
