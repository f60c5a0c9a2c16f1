using System.Diagnostics.Metrics;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SupportBot.Storage;

// Every round trip to Table Storage (each attempt, retries included), as the metric supportbot.storage.requests and a
// process total. Round trips per turn are what a turn's latency and the storage bill follow, so bench/ reports them.
public sealed class StorageRequests : HttpPipelineSynchronousPolicy
{
    public const string MeterName = "SupportBot.Storage";
    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> Counter = Meter.CreateCounter<long>("supportbot.storage.requests", description: "Table Storage round trips, retries included");
    static long total;

    public static readonly StorageRequests Policy = new();

    public static long Total => Volatile.Read(ref total);

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref total);
        Counter.Add(1);
    }
}

public static class StorageRequestEndpoint
{
    // Development only, and only to this machine (bench/ reads it): the running total.
    public static void MapStorageRequestCount(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment()) return;
        app.MapGet("/_dev/storage-requests", (HttpContext http) =>
            http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote)
                ? Results.Text(StorageRequests.Total.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : Results.NotFound());
    }
}
