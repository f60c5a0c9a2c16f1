using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Technicians;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Hosting;

public sealed class ReadinessTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    readonly HttpClient http = new();

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await azurite.DisposeAsync();
    }

    Task<BotServer> StartProductionAsync() => BotServer.StartAsync(new Dictionary<string, string?>
    {
        ["MicrosoftAppType"] = "UserAssignedMSI",
        ["MicrosoftAppId"] = Guid.NewGuid().ToString(),
        ["MicrosoftAppTenantId"] = Guid.NewGuid().ToString(),
        ["ToBotFromChannelOpenIdMetadataUrl"] = $"http://127.0.0.1:{FreePort.Next()}/v1/.well-known/openidconfiguration",
        ["ConnectionStrings:Tables"] = azurite.ConnectionString,
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "",
    }, environment: "Production");

    async Task<JsonNode> ReadyAsync(BotServer bot)
    {
        using var response = await http.GetAsync(new Uri(bot.BaseAddress, "/readyz"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Fact]
    public async Task Readyz_names_a_missing_technicians_channel_until_setup_stores_one()
    {
        await using var bot = await StartProductionAsync();

        var before = (await ReadyAsync(bot))["checks"]!["deployment"]!["problems"]!.AsObject();
        await bot.Services.GetRequiredService<TechnicianChannel>().SetAsync(new("19:desk@thread.tacv2", null, "team-1", null), CancellationToken.None);
        var after = (await ReadyAsync(bot))["checks"]!["deployment"]!["problems"]!.AsObject();

        Assert.Contains("Support:TechnicianChannelId", before.Select(p => p.Key));
        Assert.Contains("setup", (string?)before["Support:TechnicianChannelId"]);
        Assert.Contains("APPLICATIONINSIGHTS_CONNECTION_STRING", before.Select(p => p.Key));
        Assert.DoesNotContain("Support:TechnicianChannelId", after.Select(p => p.Key));
    }

    [Fact]
    public async Task Readyz_says_why_storage_is_not_ready_without_the_exception_text()
    {
        var nowhere = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{FreePort.Next()}/");
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = nowhere });

        using var response = await http.GetAsync(new Uri(bot.BaseAddress, "/readyz"));
        var report = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", (string?)report["status"]);
        Assert.Equal("Table storage is unreachable: check ConnectionStrings:Tables.", (string?)report["checks"]!["tables"]!["description"]);
        Assert.DoesNotContain("Connection refused", report.ToJsonString());
    }

    [Fact]
    public async Task The_dashboard_tab_is_served_and_only_Teams_may_frame_it()
    {
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });

        using var response = await http.GetAsync(new Uri(bot.BaseAddress, "/dashboard"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h1>SupportBot dashboard</h1>", await response.Content.ReadAsStringAsync());
        Assert.Contains("frame-ancestors 'self' teams.microsoft.com", response.Headers.GetValues("Content-Security-Policy").Single());
    }
}
