using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace SupportBot.Bench;

public sealed record LoadResult(
    long Requests, TimeSpan Elapsed, double P50Ms, double P90Ms, double P99Ms, double MaxMs,
    long Messages, long Invokes, long InvokeCards, long Errors, string? FirstError)
{
    public double PerSecond => Requests / Elapsed.TotalSeconds;
}

// Closed-loop keep-alive load: `connections` workers, each sends its next activity as soon as the last one is answered,
// for `duration`; then every request in flight is awaited (nothing is cut off, so requests == answers exactly).
public static class LoadGenerator
{
    static readonly byte[] CardMarker = "\"statusCode\":200,\"type\":\"application/vnd.microsoft.card.adaptive\""u8.ToArray();
    static readonly MediaTypeHeaderValue Json = new("application/json");

    public static async Task<LoadResult> RunAsync(Uri target, int connections, TimeSpan duration, Func<long, (byte[] Body, TurnKind Kind)> next)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        long sequence = -1, messages = 0, invokes = 0, cards = 0, errors = 0;
        string? firstError = null;
        var latencies = new List<long>[connections];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(4096);
            while (clock.Elapsed < duration)
            {
                var g = Interlocked.Increment(ref sequence);
                var (body, kind) = next(g);
                var started = Stopwatch.GetTimestamp();
                string? error = null;
                try
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = Json;
                    using var response = await http.PostAsync(target, content);
                    var answer = await response.Content.ReadAsByteArrayAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                        error = $"HTTP {(int)response.StatusCode} for a {kind} turn";
                    else if (kind == TurnKind.CardAction)
                    {
                        if (answer.AsSpan().IndexOf(CardMarker) >= 0) Interlocked.Increment(ref cards);
                        else error = "an invoke answered without a card: " + System.Text.Encoding.UTF8.GetString(answer.AsSpan(0, Math.Min(200, answer.Length)));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    error = $"{ex.GetType().Name}: {ex.Message}";
                }
                mine.Add(Stopwatch.GetTimestamp() - started);
                if (kind == TurnKind.CardAction) Interlocked.Increment(ref invokes); else Interlocked.Increment(ref messages);
                if (error is not null)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
        double Percentile(double p) => all.Length == 0 ? 0 : Ms(all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)]);
        return new LoadResult(all.Length, elapsed, Percentile(0.50), Percentile(0.90), Percentile(0.99), all.Length == 0 ? 0 : Ms(all[^1]),
            messages, invokes, cards, errors, firstError);
    }
}
