using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using SupportBot.FakeConnector;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Chaos;

// One Azurite (on disk, so it can be stopped and started with its data), the fake Connector in this process, and one or
// two bot processes (the published SupportBot.dll, as App Service runs it) on their own loopback ports.
public sealed class Cluster : IAsyncDisposable
{
    public const string Tenant = "c0ffee00-0000-4000-8000-000000000012";
    public const string TechnicianId = "29:chaos-tech";
    public const string NotATechnicianId = "29:chaos-impostor";
    public const string Channel = "19:chaos-desk@thread.tacv2";

    readonly Azurite azurite = new(onDisk: true);
    readonly List<BotSlot> bots = [];
    WebApplication connector = null!;

    public ConnectorLedger Ledger => connector.Ledger();
    public string ServiceUrl => connector.BaseUrl();
    public string TablesConnection => azurite.ConnectionString;
    public IReadOnlyList<BotSlot> Bots => bots;

    public static async Task<Cluster> StartAsync(ChaosOptions options)
    {
        var cluster = new Cluster();
        await cluster.azurite.InitializeAsync();
        cluster.connector = FakeConnectorServer.Create(new FakeConnectorOptions
        {
            Record = true, Share429 = options.Share429, Share503 = options.Share503, RetryAfter = TimeSpan.FromSeconds(1),
        });
        await cluster.connector.StartAsync();
        for (var i = 0; i < options.Instances; i++)
            cluster.bots.Add(new BotSlot(i, FreePort.Next(), cluster.Environment()));
        await Task.WhenAll(cluster.bots.Select(b => b.StartAsync()));
        return cluster;
    }

    // Short timers so that reminders and SLA alerts fire inside a run; major incidents off so that one request is one
    // ticket (the incident path has its own tests); the technicians' channel and one technician configured.
    Dictionary<string, string?> Environment() => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development",
        ["ConnectionStrings__Tables"] = azurite.ConnectionString,
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        ["Logging__LogLevel__SupportBot.Conversations"] = "Information",
        ["Logging__Console__FormatterName"] = "json",
        ["Support__Technicians__0"] = TechnicianId,
        ["Support__TechnicianChannelId"] = Channel,
        ["Support__OnCall__0__Id"] = TechnicianId,
        ["Support__OnCall__0__Name"] = "Chaos Technician",
        ["Support__MajorIncident__Enabled"] = "false",
        ["Support__EmergencyFirstResponse"] = "00:00:40",
        ["Support__Sla__CheckInterval"] = "00:00:03",
        ["Surveys__ReminderAfter"] = "00:00:15",
        ["Surveys__ReminderCheckInterval"] = "00:00:02",
        ["Outbox__PollInterval"] = "00:00:00.500",
        ["Knowledge__SyncInterval"] = "00:00:02",
        ["Security__AllowedTenants__0"] = Tenant,
        ["DOTNET_gcServer"] = "0",
        // The GC setting infra/main.bicep gives the App Service instance (bench/Runner sets it too): without it the soak's
        // working set was that of a GC configured unlike production's.
        ["DOTNET_GCgen0size"] = "0x400000",
    };

    // false: Azurite had to be killed, losing writes it had acknowledged (the run's checks can no longer be trusted).
    public async Task<bool> StopAzuriteAsync() => await azurite.StopAsync();
    public async Task StartAzuriteAsync() => await azurite.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var bot in bots) bot.Dispose();
        await connector.StopAsync();
        await connector.DisposeAsync();
        await azurite.DisposeAsync();
    }
}

// One bot instance: a process that can be killed (SIGKILL, mid-turn) and started again on the same port.
public sealed class BotSlot(int index, int port, IDictionary<string, string?> environment) : IDisposable
{
    static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    BotProcess? process;
    string earlier = "";

    public int Index => index;
    public Uri Messages { get; } = new($"http://127.0.0.1:{port}/api/messages");
    public Uri Health { get; } = new($"http://127.0.0.1:{port}/healthz");
    public bool Up => process is { HasExited: false };
    // Every process this slot ran, the killed ones too.
    public string Output => earlier + (process?.Output ?? "");
    public List<(DateTime At, long Bytes)> WorkingSet { get; } = [];
    public DateTime StartedAt { get; private set; }
    public List<DateTimeOffset> KilledAt { get; } = [];

    public async Task StartAsync()
    {
        if (process is not null) earlier += process.Output + $"--- bot {index} started again at {DateTime.UtcNow:O} ---\n";
        process = new BotProcess(port, environment);
        StartedAt = DateTime.UtcNow;
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (true)
        {
            try
            {
                var response = await process.WaitForAsync(Probe, "/readyz", TimeSpan.FromSeconds(90));
                if (response.IsSuccessStatusCode) return;
            }
            catch (TaskCanceledException)
            {
                // A probe that timed out on a busy machine: ask again.
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"bot {index} never got ready:\n{process.Output}");
            await Task.Delay(300);
        }
    }

    public void Kill()
    {
        process?.Dispose();
        KilledAt.Add(DateTimeOffset.UtcNow);
    }

    // The process can be killed (and its handle disposed) between any two of these lines: then there is nothing to sample.
    public void SampleMemory()
    {
        try
        {
            if (process is not { HasExited: false } p) return;
            using var proc = Process.GetProcessById(p.Id);
            WorkingSet.Add((DateTime.UtcNow, proc.WorkingSet64));
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException) { }
    }

    public void Dispose() => process?.Dispose();
}
