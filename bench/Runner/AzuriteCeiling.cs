using System.Diagnostics;
using Azure.Data.Tables;

namespace SupportBot.Bench;

// What Azurite serves on its own: 64 concurrent callers alternating an upsert and a point read (the bulk of a turn's
// storage calls), no bot in between. If SupportBot's storage calls/s in mix (a) come close, Azurite is the limit.
public static class AzuriteCeiling
{
    public static async Task<(double CallsPerSecond, double CpuPercent)> MeasureAsync(string connection, Child azurite, TimeSpan duration)
    {
        var table = new TableClient(connection, "BenchCeiling");
        await table.CreateIfNotExistsAsync();
        long calls = 0;
        var cpu0 = azurite.CpuMs();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            for (var i = 0; clock.Elapsed < duration; i++)
            {
                var entity = new TableEntity($"p{w}", $"r{i % 50}") { ["Text"] = "a ticket-sized value " + i, ["Number"] = i };
                await table.UpsertEntityAsync(entity);
                await table.GetEntityAsync<TableEntity>($"p{w}", $"r{i % 50}");
                Interlocked.Add(ref calls, 2);
            }
        })));
        var seconds = clock.Elapsed.TotalSeconds;
        return (calls / seconds, (azurite.CpuMs() - cpu0) / (seconds * 1000) * 100);
    }
}
