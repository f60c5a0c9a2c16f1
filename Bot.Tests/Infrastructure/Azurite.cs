using System.Net.Sockets;

namespace SupportBot.Tests.Infrastructure;

// A real Azurite table service, in memory, on its own loopback port.
public sealed class Azurite : IAsyncLifetime
{
    NodeProcess? process;
    public int Port { get; } = FreePort.Next();

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public async Task InitializeAsync()
    {
        process = new NodeProcess("azurite-table",
            ["--tableHost", "127.0.0.1", "--tablePort", Port.ToString(), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck"]);
        await process.WaitUntilAsync(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", Port);
            return true;
        }, TimeSpan.FromSeconds(30), "Azurite");
    }

    public Task DisposeAsync()
    {
        process?.Dispose();
        return Task.CompletedTask;
    }
}
