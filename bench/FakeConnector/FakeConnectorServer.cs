using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SupportBot.FakeConnector;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CallRecord))]
[JsonSerializable(typeof(IReadOnlyList<CallRecord>))]
[JsonSerializable(typeof(Counts))]
[JsonSerializable(typeof(FaultConfig))]
[JsonSerializable(typeof(SortedDictionary<int, int>))]
public sealed partial class FakeJson : JsonSerializerContext;

public sealed record FaultConfig(double? Share429, double? Share503, double? RetryAfterSeconds, double? DelayMs);

// The Bot Connector v3 routes the bot calls, answered at once from memory, plus /_fake/* to read and steer it.
public static class FakeConnectorServer
{
    static readonly byte[] Empty = "{}"u8.ToArray();

    public static WebApplication Create(FakeConnectorOptions options, string[]? args = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.AddServerHeader = false;
        });
        builder.Services.ConfigureHttpJsonOptions(j => j.SerializerOptions.TypeInfoResolverChain.Insert(0, FakeJson.Default));
        builder.Services.AddSingleton(new ConnectorLedger(options));
        var app = builder.Build();
        Map(app);
        return app;
    }

    public static string BaseUrl(this WebApplication app) =>
        app.Urls.First(u => u.StartsWith("http://127.0.0.1", StringComparison.Ordinal)).TrimEnd('/') + "/";

    public static ConnectorLedger Ledger(this WebApplication app) => app.Services.GetRequiredService<ConnectorLedger>();

    static void Map(WebApplication app)
    {
        var v3 = app.MapGroup("/v3/conversations");
        v3.MapPost("/", (HttpContext h, ConnectorLedger l) => Handle(h, l, CallKind.CreateConversation, null, null));
        v3.MapPost("/{conversationId}/activities", (HttpContext h, ConnectorLedger l, string conversationId) =>
            Handle(h, l, CallKind.Send, conversationId, null));
        v3.MapPost("/{conversationId}/activities/{activityId}", (HttpContext h, ConnectorLedger l, string conversationId, string activityId) =>
            Handle(h, l, CallKind.Reply, conversationId, activityId));
        v3.MapPut("/{conversationId}/activities/{activityId}", (HttpContext h, ConnectorLedger l, string conversationId, string activityId) =>
            Handle(h, l, CallKind.Update, conversationId, activityId));
        v3.MapDelete("/{conversationId}/activities/{activityId}", (HttpContext h, ConnectorLedger l, string conversationId, string activityId) =>
            Handle(h, l, CallKind.Delete, conversationId, activityId));
        v3.MapGet("/{conversationId}/members/{userId}", (HttpContext h, ConnectorLedger l, string conversationId, string userId) =>
            Handle(h, l, CallKind.GetMember, conversationId, userId));
        v3.MapGet("/{conversationId}/pagedmembers", (HttpContext h, ConnectorLedger l, string conversationId) =>
            Handle(h, l, CallKind.GetMembers, conversationId, null));

        var fake = app.MapGroup("/_fake");
        fake.MapGet("/counts", (ConnectorLedger l) => TypedResults.Json(l.Snapshot(), FakeJson.Default.Counts));
        fake.MapGet("/replies-per-activity", (ConnectorLedger l) => TypedResults.Json(l.RepliesPerActivity(), FakeJson.Default.SortedDictionaryInt32Int32));
        fake.MapGet("/records", (ConnectorLedger l, long? since) => TypedResults.Json(l.Records(since ?? 0), FakeJson.Default.IReadOnlyListCallRecord));
        fake.MapPost("/reset", (ConnectorLedger l) => { l.Reset(); return TypedResults.NoContent(); });
        fake.MapPost("/config", (ConnectorLedger l, FaultConfig c) =>
        {
            l.Options = l.Options with
            {
                Share429 = c.Share429 ?? l.Options.Share429,
                Share503 = c.Share503 ?? l.Options.Share503,
                RetryAfter = c.RetryAfterSeconds is { } s ? TimeSpan.FromSeconds(s) : l.Options.RetryAfter,
                Delay = c.DelayMs is { } d ? TimeSpan.FromMilliseconds(d) : l.Options.Delay,
            };
            return TypedResults.Json(l.Snapshot(), FakeJson.Default.Counts);
        });
        // Long-poll until at least `count` calls of `kind` (replies, sends, updates, total, ...) arrived, or the timeout.
        fake.MapGet("/wait", async (ConnectorLedger l, string kind, long count, int? timeoutMs, CancellationToken ct) =>
        {
            var until = DateTime.UtcNow.AddMilliseconds(timeoutMs ?? 10_000);
            while (true)
            {
                var counts = l.Snapshot();
                if (Pick(counts, kind) >= count || DateTime.UtcNow >= until)
                    return TypedResults.Json(counts, FakeJson.Default.Counts, statusCode: Pick(counts, kind) >= count ? 200 : 408);
                await Task.Delay(10, ct);
            }
        });
        app.MapGet("/_fake/ping", () => "pong");
    }

    static long Pick(Counts c, string kind) => kind.ToLowerInvariant() switch
    {
        "replies" => c.Replies,
        "sends" => c.Sends,
        "updates" => c.Updates,
        "deletes" => c.Deletes,
        "creates" or "createconversations" => c.CreateConversations,
        "repliedactivities" => c.RepliedActivities,
        "messages" => c.Replies + c.Sends,
        _ => c.Total,
    };

    static async Task Handle(HttpContext http, ConnectorLedger ledger, CallKind kind, string? conversationId, string? activityId)
    {
        var options = ledger.Options;
        if (options.Delay > TimeSpan.Zero)
            await Task.Delay(options.Delay, http.RequestAborted);

        var writes = kind is not (CallKind.GetMember or CallKind.GetMembers);
        JsonElement? body = null;
        if (options.Record && http.Request.ContentLength != 0 && writes)
        {
            try
            {
                using var doc = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
                body = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Recorded without a body; the bot's JSON is what a test inspects, and a broken one shows as null.
            }
        }
        else
        {
            // Drain the body so the connection can be reused.
            await http.Request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
        }

        var seq = ledger.NextSeq();
        var status = writes ? ledger.Fault() : null;
        string? returnedId = null;
        if (status is { } fault)
        {
            http.Response.StatusCode = fault;
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString();
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(fault == 429
                ? """{"error":{"code":"Throttled","message":"fake connector: too many requests"}}"""
                : """{"error":{"code":"ServiceUnavailable","message":"fake connector: unavailable"}}""");
        }
        else
        {
            ledger.Count(kind, conversationId, activityId);
            http.Response.ContentType = "application/json";
            switch (kind)
            {
                case CallKind.Reply or CallKind.Send:
                    returnedId = "fake-" + seq;
                    http.Response.StatusCode = 201;
                    await http.Response.WriteAsync($$"""{"id":"{{returnedId}}"}""");
                    break;
                case CallKind.Update:
                    returnedId = activityId;
                    await http.Response.WriteAsync($$"""{"id":"{{JsonEncodedText.Encode(activityId!)}}"}""");
                    break;
                case CallKind.CreateConversation:
                    returnedId = "fake-conversation-" + seq;
                    http.Response.StatusCode = 201;
                    await http.Response.WriteAsync($$"""{"id":"{{returnedId}}","activityId":"fake-{{seq}}"}""");
                    break;
                case CallKind.GetMember:
                    var id = JsonEncodedText.Encode(activityId!);
                    await http.Response.WriteAsync($$"""{"id":"{{id}}","name":"User {{id}}","aadObjectId":"aad-{{id}}"}""");
                    break;
                case CallKind.GetMembers:
                    await http.Response.WriteAsync("""{"members":[]}""");
                    break;
                default:
                    await http.Response.Body.WriteAsync(Empty);
                    break;
            }
        }

        if (options.Record)
            ledger.Add(new CallRecord(seq, DateTimeOffset.UtcNow, http.Request.Method, http.Request.Path.Value ?? "", kind,
                conversationId, activityId, status ?? http.Response.StatusCode, returnedId, body));
    }
}
