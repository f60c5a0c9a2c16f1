using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace SupportBot.Chaos;

public sealed record Posted(int Status, JsonNode? Body, string Instance);

// Sends activities as the Bot Connector does: to one instance, picked at random; a share of them again to the other
// instance afterwards (a redelivery); and when an instance does not answer at all (killed, restarting), to the other.
// Counts every HTTP status and times every call.
public sealed class Traffic(ChaosOptions options, Cluster cluster)
{
    readonly HttpClient http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
    long posts, ok2xx, client4xx, server5xx, unanswered, redelivered;
    // Each answer's latency, with the minute of the run it came back in (for p99 over time).
    public ConcurrentQueue<(double Minute, double Ms)> Latencies { get; } = new();
    readonly Stopwatch started = Stopwatch.StartNew();
    public ConcurrentQueue<string> ServerErrors { get; } = new();
    public ConcurrentDictionary<int, int> ByStatus { get; } = new();
    public bool Measure { get; set; } = true;

    public long Posts => Interlocked.Read(ref posts);
    public long Ok => Interlocked.Read(ref ok2xx);
    public long ClientErrors => Interlocked.Read(ref client4xx);
    public long ServerErrorCount => Interlocked.Read(ref server5xx);
    public long Unanswered => Interlocked.Read(ref unanswered);
    public long Redelivered => Interlocked.Read(ref redelivered);

    public async Task<Posted> PostAsync(JsonObject activity, Random rng, bool mayRedeliver = true, int? instance = null, CancellationToken ct = default)
    {
        var body = activity.ToJsonString();
        var bots = cluster.Bots;
        var first = instance ?? rng.Next(bots.Count);
        for (var attempt = 0; attempt < 12; attempt++)
        {
            var slot = bots[(first + attempt) % bots.Count];
            if (await SendOnceAsync(slot, Encoding.UTF8.GetBytes(body), ct) is not { } answered)
            {
                // No answer (connection refused or cut mid-turn): the channel delivers it again, to whichever instance answers.
                Interlocked.Increment(ref redelivered);
                await Task.Delay(TimeSpan.FromMilliseconds(300 * Math.Min(attempt + 1, 5)), ct);
                continue;
            }
            if (mayRedeliver && bots.Count > 1 && rng.NextDouble() < options.Redeliver)
            {
                Interlocked.Increment(ref redelivered);
                await SendOnceAsync(bots[(slot.Index + 1) % bots.Count], Encoding.UTF8.GetBytes(body), ct);
            }
            return answered;
        }
        throw new InvalidOperationException("no bot instance answered an activity 12 times in a row");
    }

    public async Task<Posted?> SendOnceAsync(BotSlot slot, byte[] body, CancellationToken ct)
    {
        Interlocked.Increment(ref posts);
        var watch = Stopwatch.StartNew();
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
            using var response = await http.PostAsync(slot.Messages, content, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var status = (int)response.StatusCode;
            if (Measure) Latencies.Enqueue((started.Elapsed.TotalMinutes, watch.Elapsed.TotalMilliseconds));
            TrafficTrace.Line($"bot{slot.Index} {Describe(body)} -> {status} {watch.ElapsedMilliseconds} ms");
            ByStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500)
            {
                Interlocked.Increment(ref server5xx);
                ServerErrors.Enqueue($"{status} from bot {slot.Index}: {Shorten(text)} for {Shorten(Encoding.UTF8.GetString(body))}");
            }
            else if (status >= 400) Interlocked.Increment(ref client4xx);
            else Interlocked.Increment(ref ok2xx);
            JsonNode? parsed = null;
            if (text.Length > 0 && text[0] == '{')
                try { parsed = JsonNode.Parse(text); } catch (System.Text.Json.JsonException) { }
            return new Posted(status, parsed, $"bot {slot.Index}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref unanswered);
            TrafficTrace.Line($"bot{slot.Index} {Describe(body)} -> no answer ({ex.GetType().Name}) {watch.ElapsedMilliseconds} ms");
            return null;
        }
    }

    // Who sent what: the sender, the activity id, and the verb of a button press.
    static string Describe(byte[] body)
    {
        try
        {
            var a = JsonNode.Parse(body);
            return $"{a?["from"]?["id"]} {a?["id"]} {a?["type"]}{(a?["value"]?["action"]?["verb"] is { } verb ? "/" + verb : "")}";
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return "(not JSON)";
        }
    }

    static string Shorten(string s) => s.Length > 300 ? s[..300] + "..." : s;
}
