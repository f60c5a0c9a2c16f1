using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using Microsoft.Extensions.Options;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Benchmarks;

// The ticket store against a real Azurite (in memory, its own loopback port, started and stopped by the benchmark).
// One call per measurement, so the percentiles Program prints are per filing / per query; Op/s is one caller in turn.
public sealed class TicketBenchmarkConfig : ManualConfig
{
    public TicketBenchmarkConfig() => AddColumn(StatisticColumn.P95, StatisticColumn.OperationsPerSecond);
}

[Config(typeof(TicketBenchmarkConfig))]
[GcServer(false), GcConcurrent(true)] // as the bot runs it (Bot.csproj)
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 20, iterationCount: 500, invocationCount: 1)]
public abstract class TicketStoreBenchmark
{
    AzuriteTable? azurite;
    protected TableTicketStore Store { get; private set; } = null!;
    int next;

    protected async Task StartAsync()
    {
        azurite = await AzuriteTable.StartAsync();
        Store = new TableTicketStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TicketOptions()), TimeProvider.System);
    }

    [GlobalCleanup]
    public void Cleanup() => azurite?.Dispose();

    // A new request (unique key) from one of 50 requesters.
    protected Task<FiledTicket> FileOneAsync()
    {
        var n = Interlocked.Increment(ref next);
        var now = DateTimeOffset.UtcNow;
        return Store.FileAsync($"bench|{n}", number => new Ticket
        {
            Number = number,
            Title = "The projector in room 12 shows no signal",
            Problem = "Hi, the projector in room 12 shows no signal when I plug in my laptop over HDMI. I tried another cable.",
            Requester = new Person($"user-{n % 50}", "Sam Requester", Email: "sam@example.org", Department: "Science"),
            Urgency = n % 10 == 0 ? Urgency.Emergency : Urgency.Normal,
            UrgencyReason = "It doesn't sound like it is stopping work right now, so it is in the normal queue.",
            Category = "av",
            TriageReasons = ["model: normal 0.81"],
            CreatedAt = now,
            FirstResponseDueAt = now.AddMinutes(n % 240),
        }, CancellationToken.None);
    }
}

public class TicketFiling : TicketStoreBenchmark
{
    [GlobalSetup]
    public Task Setup() => StartAsync();

    [Benchmark]
    public async Task<int> File() => (await FileOneAsync()).Ticket.Number;
}

public class TicketOpenQueue : TicketStoreBenchmark
{
    public const int OpenTickets = 500;

    [GlobalSetup]
    public async Task Setup()
    {
        await StartAsync();
        for (var i = 0; i < OpenTickets; i += 10)
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => FileOneAsync()));
        var open = await Store.ListOpenAsync(CancellationToken.None);
        if (open.Count != OpenTickets) throw new InvalidOperationException($"Expected {OpenTickets} open tickets, found {open.Count}.");
    }

    [Benchmark]
    public async Task<int> ListOpen() => (await Store.ListOpenAsync(CancellationToken.None)).Count;
}

// node_modules/.bin/azurite-table from the repository root, in memory, on a free loopback port; killed on dispose.
public sealed class AzuriteTable : IDisposable
{
    readonly Process process;
    public int Port { get; }

    AzuriteTable(Process process, int port) => (this.process, Port) = (process, port);

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static async Task<AzuriteTable> StartAsync()
    {
        var root = RepoRoot();
        var tool = Path.Combine(root, "node_modules", ".bin", "azurite-table");
        if (!File.Exists(tool)) throw new InvalidOperationException($"{tool} is missing: run `source scripts/bootstrap.sh` (npm ci) first.");
        var port = FreePort();
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = root,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["--tableHost", "127.0.0.1", "--tablePort", port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck"])
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new AzuriteTable(process, port);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(100))
        {
            if (process.HasExited) throw new InvalidOperationException($"Azurite exited with {process.ExitCode}.");
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return azurite;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline) { }
            catch (SocketException)
            {
                azurite.Dispose();
                throw new TimeoutException("Azurite did not start within 30 s.");
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SupportBot.sln"))) return dir.FullName;
        throw new InvalidOperationException("SupportBot.sln not found above " + AppContext.BaseDirectory);
    }
}
