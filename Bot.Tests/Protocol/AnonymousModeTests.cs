using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Protocol;

// Anonymous mode (no MicrosoftAppId) is for a developer's machine only: it must not start anywhere else, and even
// there it answers only callers connected over loopback.
public sealed class AnonymousModeTests
{
    static Dictionary<string, string?> Settings(string? appId = null) => new()
    {
        ["MicrosoftAppId"] = appId ?? "",
        ["MicrosoftAppPassword"] = appId is null ? "" : "secret",
        // Never the public metadata host, even for the start-up warm-up: nothing answers on this port.
        ["ToBotFromChannelOpenIdMetadataUrl"] = $"http://127.0.0.1:{FreePort.Next()}/v1/.well-known/openidconfiguration",
        ["ConnectionStrings:Tables"] = "UseDevelopmentStorage=true",
        ["Logging:LogLevel:Default"] = "None",
    };

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_Development_the_bot_refuses_to_start_without_an_app_id(string environment)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => BotServer.StartAsync(Settings(), environment: environment));

        Assert.Contains("MicrosoftAppId", error.Message);
        Assert.Contains("ASPNETCORE_ENVIRONMENT=Development", error.Message);
    }

    [Fact]
    public async Task Outside_Development_the_bot_starts_with_an_app_id()
    {
        await using var bot = await BotServer.StartAsync(Settings(appId: Guid.NewGuid().ToString()), environment: "Production");

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(bot.BaseAddress, "/healthz"))).StatusCode);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.20.30.40")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void A_loopback_caller_is_answered(string address)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse(address);

        Assert.Equal(AuthOutcome.Allowed, MessagesEndpoint.AuthorizeAnonymousCaller(http.Connection).Outcome);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("192.168.1.20")]
    [InlineData("203.0.113.7")]
    [InlineData("::ffff:10.0.0.5")]
    [InlineData("2001:db8::1")]
    [InlineData("0.0.0.0")]
    [InlineData(null)]
    public void A_caller_from_elsewhere_is_refused(string? address)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = address is null ? null : IPAddress.Parse(address);

        var result = MessagesEndpoint.AuthorizeAnonymousCaller(http.Connection);

        Assert.Equal(AuthOutcome.Forbidden, result.Outcome);
        Assert.Contains("MicrosoftAppId", result.Reason);
    }

    [Fact]
    public async Task A_remote_caller_with_a_loopback_serviceUrl_is_refused_and_no_turn_runs()
    {
        var remote = new RemoteAddressOverride();
        var recorder = new CountingBot();
        await using var bot = await BotServer.StartAsync(Settings(), services =>
        {
            services.AddSingleton<IStartupFilter>(remote);
            services.AddSingleton<IBot>(recorder);
        });
        using var http = new HttpClient();

        // Control: the same activity from this machine runs a turn.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(bot.MessagesEndpoint, JsonContent.Create(Message()))).StatusCode);
        Assert.Equal(1, recorder.Turns);

        remote.Address = IPAddress.Parse("203.0.113.7");
        var response = await http.PostAsync(bot.MessagesEndpoint, JsonContent.Create(Message()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("MicrosoftAppId", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, recorder.Turns);
    }

    static JsonObject Message() => new()
    {
        ["type"] = "message",
        ["id"] = "activity-1",
        ["channelId"] = "msteams",
        // Loopback, as a stranger would write it to reach a local port.
        ["serviceUrl"] = "http://127.0.0.1:9/",
        ["from"] = new JsonObject { ["id"] = "user-1" },
        ["recipient"] = new JsonObject { ["id"] = "bot-1" },
        ["conversation"] = new JsonObject { ["id"] = "conv-1" },
        ["text"] = "hello",
    };

    // Makes requests look as if they came from another machine, as Kestrel reports a remote peer.
    sealed class RemoteAddressOverride : IStartupFilter
    {
        public volatile IPAddress? Address;

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (Address is { } address)
                    context.Connection.RemoteIpAddress = address;
                return following(context);
            });
            next(app);
        };
    }

    sealed class CountingBot : IBot
    {
        int turns;
        public int Turns => Volatile.Read(ref turns);

        public Task OnTurnAsync(TurnContext turn, CancellationToken ct)
        {
            Interlocked.Increment(ref turns);
            return Task.CompletedTask;
        }
    }
}
