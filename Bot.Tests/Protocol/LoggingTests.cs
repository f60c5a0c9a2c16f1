using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Protocol;

// What reaches the console log: callers cannot forge lines in it, and what users write stays out of it.
public sealed class LoggingTests : IAsyncLifetime
{
    const string Forged = "fail: forged";

    readonly Azurite azurite = new();
    readonly ConcurrentQueue<JsonNode> replies = new();
    readonly HttpClient http = new();
    LoopbackServer connector = null!;

    public async Task InitializeAsync()
    {
        connector = await LoopbackServer.StartAsync(app =>
        {
            app.MapPost("/v3/conversations/{id}/activities/{activityId}", async (HttpRequest request) =>
            {
                replies.Enqueue((await JsonNode.ParseAsync(request.Body))!);
                return Results.Json(new { id = "reply-1" }, statusCode: 201);
            });
            app.MapPost("/v3/conversations/{id}/activities", () => Results.Json(new { id = "sent-1" }, statusCode: 201));
        });
        await azurite.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await azurite.DisposeAsync();
        await connector.DisposeAsync();
    }

    async Task<(BotServer Bot, ConsoleOutputCapture Console)> StartBotAsync()
    {
        var bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
            // The format every environment but Development is held to.
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:LogLevel:Default"] = "Trace",
            // The capture sees everything; the test run's own console stays quiet.
            ["Logging:Console:LogLevel:Default"] = "None",
        }, services => services
            .AddSingleton<ConsoleOutputCapture>()
            .AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<ConsoleOutputCapture>()));
        return (bot, bot.Services.GetRequiredService<ConsoleOutputCapture>());
    }

    JsonObject Message(string text) => new()
    {
        ["type"] = "message",
        ["id"] = "activity-1",
        ["channelId"] = "msteams",
        ["serviceUrl"] = connector.BaseAddress.ToString(),
        ["from"] = new JsonObject { ["id"] = "user-1", ["name"] = "Sam" },
        ["recipient"] = new JsonObject { ["id"] = "bot-1" },
        ["conversation"] = new JsonObject { ["id"] = "conv-1", ["conversationType"] = "personal" },
        ["text"] = text,
    };

    [Fact]
    public async Task CRLF_in_activity_fields_cannot_forge_a_log_line()
    {
        var (bot, console) = await StartBotAsync();
        await using var _ = bot;
        Assert.Equal("json", console.FormatterName);

        var forgedIds = Message("hello");
        forgedIds["id"] = $"activity-1\r\n{Forged} id\r\n";
        forgedIds["channelId"] = $"msteams\n{Forged} channel";
        forgedIds["name"] = $"x\r{Forged} name";
        var forgedType = Message("hello");
        forgedType["type"] = $"message\r\n{Forged} type";

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(bot.MessagesEndpoint, JsonContent.Create(forgedIds))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(bot.MessagesEndpoint, JsonContent.Create(forgedType))).StatusCode);

        var output = console.Output;
        // Every forged field was logged, or this test would prove nothing.
        Assert.All(new[] { "id", "channel", "name", "type" }, field => Assert.Contains($"{Forged} {field}", output));
        var lines = output.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith(Forged, StringComparison.Ordinal));
        // Every line is a whole JSON entry: nothing a caller sent can end one and begin another.
        Assert.All(lines, line => Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(line).RootElement.ValueKind));
    }

    [Fact]
    public async Task What_a_user_writes_is_not_logged_above_Debug()
    {
        const string Canary = "Canary-7f3e9b-Hunter2";
        var (bot, console) = await StartBotAsync();
        await using var _ = bot;

        var response = await http.PostAsync(bot.MessagesEndpoint,
            JsonContent.Create(Message($"my password is {Canary} and the printer on floor 2 is jammed")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(replies);
        var logged = console.Entries;
        Assert.Contains(logged, e => e.Level == LogLevel.Information && e.Text.Contains("activity-1"));
        Assert.DoesNotContain(logged, e => e.Level > LogLevel.Debug && e.Text.Contains(Canary));
    }

    [Theory]
    [InlineData("Production", null, "json")]
    [InlineData("Production", "simple", "json")]
    [InlineData("Staging", "systemd", "json")]
    [InlineData("Development", null, "json")]
    [InlineData("Development", "simple", "simple")]
    public async Task Outside_Development_the_console_log_is_always_JSON(string environment, string? requested, string expected)
    {
        await using var app = SupportBotApp.Build(["--environment", environment], builder =>
        {
            // Development's appsettings asks for simple; each case states its own request instead.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = requested ?? "" });
        });

        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<ConsoleLoggerOptions>>().Value.FormatterName);
    }
}
