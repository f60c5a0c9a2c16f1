using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Hosting;

// The bot as App Service starts it (its own process, ASPNETCORE_ENVIRONMENT=Production, settings in the environment),
// with the Azure parts pointed at local stand-ins: Azurite for the tables, nothing for the Bot Framework metadata,
// a recording server for Application Insights.
public sealed class ProductionStartTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await azurite.DisposeAsync();
    }

    Dictionary<string, string?> ProductionEnvironment(int ingestionPort) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["MicrosoftAppType"] = "UserAssignedMSI",
        ["MicrosoftAppId"] = "6d1f3c52-8a4b-4e8e-9b0f-2c7d5e6a1b34",
        ["MicrosoftAppTenantId"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ["ConnectionStrings__Tables"] = azurite.ConnectionString,
        ["Support__TechnicianChannelId"] = "19:abc@thread.tacv2",
        ["ToBotFromChannelOpenIdMetadataUrl"] = $"http://127.0.0.1:{FreePort.Next()}/v1/.well-known/openidconfiguration",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] =
            $"InstrumentationKey=11111111-2222-3333-4444-555555555555;IngestionEndpoint=http://127.0.0.1:{ingestionPort}/;LiveEndpoint=http://127.0.0.1:{ingestionPort}/",
        // The local stand-in takes the connection string alone; in Azure the component wants the managed identity's token.
        ["ApplicationInsights__UseConnectionStringOnly"] = "true",
        ["APPLICATIONINSIGHTS_STATSBEAT_DISABLED"] = "true",
    };

    [Fact]
    public async Task With_something_missing_it_prints_what_and_exits_non_zero()
    {
        var environment = ProductionEnvironment(FreePort.Next());
        environment["MicrosoftAppTenantId"] = null;
        environment["ConnectionStrings__Tables"] = null;
        environment["MicrosoftAppPassword"] = "never-printed-secret";

        var run = await ToolRun.BotAsync(["--urls", $"http://127.0.0.1:{FreePort.Next()}"], environment, TimeSpan.FromSeconds(60));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("SupportBot cannot start: 2 configuration problem(s). See README.md, section \"Deploy to Azure\".", run.StandardError);
        Assert.Contains("  MicrosoftAppTenantId is not set, and a UserAssignedMSI bot needs its Entra tenant id", run.StandardError);
        Assert.Contains("  ConnectionStrings:Tables is not set.", run.StandardError);
        // The same, structured, in the log (one JSON object per line), and the warning about the unused secret.
        Assert.Contains("\"LogLevel\":\"Critical\"", run.StandardOutput);
        Assert.Contains("MicrosoftAppPassword is set but a UserAssignedMSI bot never uses it", run.StandardOutput);
        Assert.DoesNotContain("never-printed-secret", run.Output);
    }

    [Fact]
    public async Task Without_an_app_id_it_says_so_instead_of_failing_on_the_first_message()
    {
        var environment = ProductionEnvironment(FreePort.Next());
        environment["MicrosoftAppId"] = null;

        var run = await ToolRun.BotAsync(["--urls", $"http://127.0.0.1:{FreePort.Next()}"], environment, TimeSpan.FromSeconds(60));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("  MicrosoftAppId is not set.", run.StandardError);
        Assert.DoesNotContain("Unhandled exception", run.Output);
    }

    [Fact]
    public async Task With_everything_present_it_starts_is_ready_and_sends_telemetry()
    {
        await using var ingestion = await RecordingServer.StartAsync();
        using var bot = new BotProcess(FreePort.Next(), ProductionEnvironment(ingestion.Port));

        using var ready = await bot.WaitForAsync(http, "/readyz", TimeSpan.FromSeconds(90));
        var body = await ready.Content.ReadAsStringAsync();
        var report = JsonNode.Parse(body)!;

        Assert.True(ready.StatusCode == HttpStatusCode.OK, bot.Output);
        Assert.Equal("Healthy", (string?)report["checks"]!["tables"]!["status"]);
        // Azurite's connection string holds a key: named, and the key never shown.
        Assert.Equal("Degraded", (string?)report["checks"]!["deployment"]!["status"]);
        Assert.Equal(["ConnectionStrings:Tables"], report["checks"]!["deployment"]!["problems"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("Eby8vdM02x", body);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/healthz"))).StatusCode);
        Assert.Contains("AUTHENTICATED MODE", bot.Output);

        // Requests are traced and exported to Application Insights (the batch goes out within seconds).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (!ingestion.Paths.Any(p => p.EndsWith("/track", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await http.GetAsync(new Uri(bot.BaseAddress, "/healthz"));
            await Task.Delay(500);
        }
        Assert.True(ingestion.Paths.Any(p => p.EndsWith("/track", StringComparison.Ordinal)), $"nothing exported; saw {string.Join(", ", ingestion.Paths)}\n{bot.Output}");
    }

    // Answers every POST as Application Insights' ingestion does, and remembers the paths.
    sealed class RecordingServer(WebApplication app, int port) : IAsyncDisposable
    {
        public int Port => port;
        public ConcurrentQueue<string> Received { get; } = new();
        public IEnumerable<string> Paths => Received;

        public static async Task<RecordingServer> StartAsync()
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new RecordingServer(app, port);
            app.Run(async http =>
            {
                server.Received.Enqueue(http.Request.Path.Value ?? "");
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("""{"itemsReceived":1,"itemsAccepted":1,"errors":[]}""");
            });
            await app.StartAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
