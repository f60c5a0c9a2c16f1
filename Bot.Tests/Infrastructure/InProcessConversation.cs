using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Protocol;

namespace SupportBot.Tests.Infrastructure;

// The bot's own turn pipeline called directly: real services and storage, with the Connector replaced by an
// in-memory recorder (the ConnectorClient's HttpMessageHandler). Fast enough for many small conversation tests.
public sealed class InProcessConversation(IServiceProvider services, string conversationId = "a:personal-1", string conversationType = "personal", string? channelId = null)
{
    public const string ServiceUrl = "http://127.0.0.1:9/";
    readonly RecordingConnector connector = services.GetRequiredService<RecordingConnector>();
    int next;

    // The bot, with every Connector call (replies and proactive updates alike) going to one in-memory recorder.
    // overrides: applied over the bot's own registrations.
    public static Task<BotServer> StartBotAsync(string tablesConnection, Action<IServiceCollection>? overrides = null) =>
        BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = tablesConnection }, services =>
        {
            services.AddSingleton<RecordingConnector>();
            services.AddHttpClient(ConnectorClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<RecordingConnector>());
        }, overrides: overrides);

    public IReadOnlyList<RecordedCall> Calls => [.. connector.Calls];

    // Proactive messages arrive from the outbox after the turn: wait (bounded) for the one that matches.
    public Task<RecordedCall> WaitForAsync(Func<RecordedCall, bool> match, TimeSpan? timeout = null) => connector.WaitForAsync(match, timeout);

    // The bot's answers in this conversation (replies to an activity, not outbox sends or updates), newest last.
    public IReadOnlyList<RecordedCall> Replies => [.. connector.Calls.Where(c => c.IsReply && c.Path.Contains($"/{Uri.EscapeDataString(conversationId)}/"))];
    public IBot Bot => services.GetRequiredService<IBot>();

    // turnToken: the token the turn gets (as the turn deadline's), to cut a turn off at a chosen point.
    public Task<TurnContext> SendAsync(string text, string userId = "user-1", string? activityId = null, CancellationToken turnToken = default) =>
        RunAsync(new Activity
        {
            Type = ActivityTypes.Message,
            Id = activityId ?? $"act-{Interlocked.Increment(ref next)}",
            Text = text,
        }, userId, turnToken);

    public async Task<JsonNode> PressAsync(string verb, JsonNode data, string userId = "user-1", string replyToId = "card-1", string? activityId = null)
    {
        var value = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = data.DeepClone() },
            ["trigger"] = "manual",
        };
        var turn = await RunAsync(new Activity
        {
            Type = ActivityTypes.Invoke,
            Name = InvokeNames.AdaptiveCardAction,
            Id = activityId ?? $"inv-{Interlocked.Increment(ref next)}",
            ReplyToId = replyToId,
            Value = JsonSerializer.SerializeToElement(value),
        }, userId);
        return JsonSerializer.SerializeToNode(turn.InvokeResponse!.Body, ProtocolJson.Options)!;
    }

    public async Task<TurnContext> RunAsync(Activity activity, string userId, CancellationToken turnToken = default)
    {
        var full = activity with
        {
            ChannelId = "msteams",
            ServiceUrl = ServiceUrl,
            From = new ChannelAccount { Id = userId, Name = "User " + userId, AadObjectId = "aad-" + userId },
            Recipient = new ChannelAccount { Id = "28:bot", Name = "SupportBot" },
            Conversation = new ConversationAccount { Id = conversationId, ConversationType = conversationType, TenantId = "tenant-1" },
            ChannelData = conversationType == "channel"
                ? new TeamsChannelData { Channel = new ChannelInfo { Id = channelId ?? conversationId }, Team = new TeamInfo { Id = "team-id" }, Tenant = new TenantInfo("tenant-1") }
                : null,
        };
        var turn = new TurnContext(full, services.GetRequiredService<ConnectorClient>());
        await Bot.OnTurnAsync(turn, turnToken);
        return turn;
    }

    // The cards the bot posted or updated, newest last.
    public IReadOnlyList<RecordedCall> Cards => [.. connector.Calls.Where(c => c.Card is not null)];
}

public sealed record RecordedCall(HttpMethod Method, string Path, JsonNode? Body)
{
    public JsonNode? Card => Body?["attachments"]?.AsArray().FirstOrDefault()?["content"];
    // The card as readable JSON (no \u escapes), for assertions on its words.
    public string CardJson => Card?.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) ?? "";
    public string? Text => Body?["text"]?.GetValue<string>();
    // A turn's answer (POST .../activities/{replyToId}); the outbox sends to .../activities and updates with PUT.
    public bool IsReply => Method == HttpMethod.Post && !Path.EndsWith("/activities", StringComparison.Ordinal) && Path.Contains("/activities/", StringComparison.Ordinal);
}

public sealed class RecordingConnector : HttpMessageHandler
{
    public ConcurrentQueue<RecordedCall> Calls { get; } = new();
    // Runs after a call is recorded, before it is answered (e.g. storage goes away just as a card is shown).
    public Func<RecordedCall, Task>? AfterCall { get; set; }
    // What the ids of posted messages start with: another bot instance's recorder can be told apart (two instances of
    // one Connector never hand out the same id).
    public string IdPrefix { get; set; } = "msg-";
    int ids;
    TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<RecordedCall> WaitForAsync(Func<RecordedCall, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var next = Volatile.Read(ref arrived).Task;
            if (Calls.FirstOrDefault(match) is { } found) return found;
            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No matching Connector call. Seen:\n" + string.Join("\n", Calls.Select(c => $"{c.Method} {c.Path} {c.Text}")));
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? null : JsonNode.Parse(await request.Content.ReadAsStringAsync(ct));
        var path = request.RequestUri!.AbsolutePath;
        var call = new RecordedCall(request.Method, path, body);
        Calls.Enqueue(call);
        Interlocked.Exchange(ref arrived, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (AfterCall is { } after) await after(call);
        object answer = request.Method == HttpMethod.Get && path.Contains("/members/")
            ? new { id = path.Split('/')[^1], name = "Sam Requester", aadObjectId = "aad-x", email = "sam@example.org", userPrincipalName = "sam@example.org" }
            : new { id = $"{IdPrefix}{Interlocked.Increment(ref ids)}" };
        return new HttpResponseMessage(request.Method == HttpMethod.Post ? HttpStatusCode.Created : HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(answer), Encoding.UTF8, "application/json"),
        };
    }
}
