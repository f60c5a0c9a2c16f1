using System.Net.Sockets;

namespace SupportBot.Tests.Infrastructure;

// A real Azurite table service on its own loopback port: in memory, or on disk when it must survive a restart.
public sealed class Azurite(bool onDisk = false) : IAsyncLifetime
{
    NodeProcess? process;
    readonly string? location = onDisk ? Directory.CreateTempSubdirectory("azurite-").FullName : null;
    public int Port { get; } = FreePort.Next();

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public async Task InitializeAsync()
    {
        string[] storage = location is null ? ["--inMemoryPersistence"] : ["--location", location];
        process = new NodeProcess("azurite-table",
            ["--tableHost", "127.0.0.1", "--tablePort", Port.ToString(), .. storage, "--disableTelemetry", "--skipApiVersionCheck"]);
        await process.WaitUntilAsync(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Port);
            return true;
        }, TimeSpan.FromSeconds(30), "Azurite");
    }

    // Storage goes away (a crash, an outage); with onDisk, StartAsync brings it back with its data. Azurite saves its
    // files every 5 s and on the way out, so a kill would lose writes it had acknowledged, which Azure Storage never
    // does: on disk it is given a minute to close. false: it had to be killed anyway.
    public async Task<bool> StopAsync()
    {
        var clean = process is null || await process.StopGracefullyAsync(TimeSpan.FromSeconds(location is null ? 10 : 60));
        process?.Dispose();
        process = null;
        for (var i = 0; i < 50 && await IsListeningAsync(); i++) await Task.Delay(100);
        return clean;
    }

    public Task StartAsync() => InitializeAsync();

    async Task<bool> IsListeningAsync()
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public Task DisposeAsync()
    {
        process?.Dispose();
        if (location is not null) try { Directory.Delete(location, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
