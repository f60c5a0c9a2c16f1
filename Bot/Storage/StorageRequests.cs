using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;
using System.Runtime.CompilerServices;

namespace SupportBot.Storage;

// Every round trip to Table Storage (each attempt, retries included), as the metric supportbot.storage.requests and a
// process total. Round trips per turn are what a turn's latency and the storage bill follow, so bench/ reports them.
public sealed class StorageRequests : HttpPipelineSynchronousPolicy
{
    public const string MeterName = "SupportBot.Storage";
    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> Counter = Meter.CreateCounter<long>("supportbot.storage.requests", description: "Table Storage round trips, retries included");
    static long total;
    static readonly ConcurrentDictionary<string, StrongBox<long>> byOperation = new();

    public static readonly StorageRequests Policy = new();

    public static long Total => Volatile.Read(ref total);

    // "GET Tickets", "GET Tickets query", "POST $batch": which rows a turn touches, so a rise in round trips can be traced to its table.
    public static IEnumerable<KeyValuePair<string, long>> ByOperation =>
        byOperation.Select(entry => KeyValuePair.Create(entry.Key, Volatile.Read(ref entry.Value.Value)));

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref total);
        Counter.Add(1);
        var path = message.Request.Uri.Path;
        // A query ("Tickets()?$filter=...") apart from a point read ("Tickets(PartitionKey='..',RowKey='..')"): the
        // emulator scans the whole table for a query (docs/reliability.md), the service reads one partition.
        var operation = $"{message.Request.Method.Method} {TableOf(path)}{(path.EndsWith("()", StringComparison.Ordinal) ? " query" : "")}";
        Interlocked.Increment(ref byOperation.GetOrAdd(operation, static _ => new StrongBox<long>()).Value);
    }

    static string TableOf(string path)
    {
        var segment = path.TrimEnd('/');
        segment = segment[(segment.LastIndexOf('/') + 1)..];
        var parenthesis = segment.IndexOf('(');
        return parenthesis < 0 ? segment : segment[..parenthesis];
    }
}

public static class StorageRequestEndpoint
{
    // Development only, and only to this machine (bench/ reads them): the running total, and by method and table.
    public static void MapStorageRequestCount(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return;
        app.MapGet("/_dev/storage-requests", (HttpContext http) => FromThisMachine(http)
            ? Results.Text(StorageRequests.Total.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : Results.NotFound());
        app.MapGet("/_dev/storage-requests/by-operation", (HttpContext http) => FromThisMachine(http)
            ? Results.Text(string.Join('\n', StorageRequests.ByOperation.OrderBy(entry => entry.Key, StringComparer.Ordinal)
                .Select(entry => $"{entry.Key}\t{entry.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}")))
            : Results.NotFound());
    }

    static bool FromThisMachine(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote);
}
