using System.Net;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Storage;

public sealed class HealthTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    readonly HttpClient http = new();

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        http.Dispose();
        await azurite.DisposeAsync();
    }

    [Fact]
    public async Task Live_and_ready_when_tables_are_reachable()
    {
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/readyz"))).StatusCode);
    }

    [Fact]
    public async Task Live_but_not_ready_when_tables_are_unreachable()
    {
        var nowhere = azurite.ConnectionString.Replace($":{azurite.Port}/", $":{FreePort.Next()}/");
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = nowhere });

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri(bot.BaseAddress, "/readyz"))).StatusCode);
    }
}
