using System.Net;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Storage;

// The Table Storage round-trip counter bench/ reports per turn, and the Development-only door it reads it through.
public sealed class StorageRequestsTests : IAsyncLifetime
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
    public async Task Every_round_trip_to_table_storage_is_counted()
    {
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });
        var counter = new Uri(bot.BaseAddress, "/_dev/storage-requests");

        var before = long.Parse(await http.GetStringAsync(counter));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/readyz"))).StatusCode); // one table query
        var after = long.Parse(await http.GetStringAsync(counter));

        Assert.True(after >= before + 1, $"expected the readiness check's table query to be counted: {before} -> {after}");
    }

    [Fact]
    public async Task Round_trips_are_itemised_by_method_and_table_and_add_up_to_the_total()
    {
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });
        await http.GetAsync(new Uri(bot.BaseAddress, "/readyz"));

        // Background work (the outbox, the SLA watch) may call storage between the reads, so the itemised sum lies between two totals.
        var totalBefore = long.Parse(await http.GetStringAsync(new Uri(bot.BaseAddress, "/_dev/storage-requests")));
        var lines = (await http.GetStringAsync(new Uri(bot.BaseAddress, "/_dev/storage-requests/by-operation")))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split('\t')).ToList();
        var totalAfter = long.Parse(await http.GetStringAsync(new Uri(bot.BaseAddress, "/_dev/storage-requests")));

        Assert.NotEmpty(lines);
        Assert.All(lines, parts => Assert.Matches("^(GET|POST|PUT|PATCH|MERGE|DELETE) [A-Za-z$][A-Za-z0-9]*( query)?$", parts[0]));
        Assert.DoesNotContain(lines, parts => parts[0].Contains("devstoreaccount1") || parts[0].Contains('('));
        Assert.InRange(lines.Sum(parts => long.Parse(parts[1])), totalBefore, totalAfter);
    }

    [Fact]
    public async Task Outside_Development_there_is_no_counter_endpoint()
    {
        await using var bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = Guid.NewGuid().ToString(),
            ["MicrosoftAppPassword"] = "secret",
            ["ToBotFromChannelOpenIdMetadataUrl"] = $"http://127.0.0.1:{FreePort.Next()}/v1/.well-known/openidconfiguration",
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
            ["Logging:LogLevel:Default"] = "None",
        }, environment: "Production");

        var response = await http.GetAsync(new Uri(bot.BaseAddress, "/_dev/storage-requests"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
