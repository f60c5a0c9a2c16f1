using System.Collections.Concurrent;
using Stopwatch = System.Diagnostics.Stopwatch;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Protocol;

// Outbound calls: the bot's own ConnectorClient (from its DI, MSAL token provider included) against a fake
// Azure AD token endpoint (HTTPS with a test certificate: MSAL insists on an https authority) and a fake Connector.
public sealed class ConnectorClientTests : IAsyncLifetime
{
    const string AppId = "5d3f7a61-2b1c-4c8e-9f0a-7e6b5c4d3a21";
    const string TenantId = "8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    const string ConversationId = "a:1conversation";

    static readonly X509Certificate2 Certificate = LoopbackServer.CreateSelfSignedCertificate();

    readonly ConcurrentQueue<TokenRequest> tokenRequests = new();
    readonly ConcurrentQueue<ConnectorRequest> connectorRequests = new();
    // What the fake Connector answers to each send, in order; once empty, 201 with an id.
    readonly ConcurrentQueue<Func<HttpContext, Task>> scripted = new();
    int issued;
    LoopbackServer login = null!;
    LoopbackServer connector = null!;

    sealed record TokenRequest(string Path, IReadOnlyDictionary<string, string> Form);
    sealed record ConnectorRequest(string Method, string Path, string? Authorization, string Body);

    public async Task InitializeAsync()
    {
        login = await LoopbackServer.StartAsync(app => app.MapPost("/{tenant}/oauth2/v2.0/token", async (HttpContext ctx) =>
        {
            var form = await ctx.Request.ReadFormAsync();
            tokenRequests.Enqueue(new(ctx.Request.Path, form.ToDictionary(f => f.Key, f => f.Value.ToString())));
            return Results.Json(new
            {
                token_type = "Bearer",
                expires_in = 3600,
                ext_expires_in = 3600,
                access_token = $"issued-token-{Interlocked.Increment(ref issued)}",
            });
        }), Certificate);

        connector = await LoopbackServer.StartAsync(app => app.Map("/{**path}", async (HttpContext ctx) =>
        {
            // The target as sent on the wire: Request.Path would show escaped ids decoded.
            var target = ctx.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            var body = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
            connectorRequests.Enqueue(new(ctx.Request.Method, target, ctx.Request.Headers.Authorization.ToString(), body));
            if (scripted.TryDequeue(out var answer))
            {
                await answer(ctx);
                return;
            }
            ctx.Response.StatusCode = StatusCodes.Status201Created;
            await ctx.Response.WriteAsJsonAsync(new { id = $"sent-{connectorRequests.Count}" });
        }));
    }

    public async Task DisposeAsync()
    {
        await connector.DisposeAsync();
        await login.DisposeAsync();
    }

    Task<BotServer> StartBotAsync(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = AppId,
            ["MicrosoftAppPassword"] = "secret",
            ["ToChannelFromBotLoginUrl"] = new Uri(login.BaseAddress, "botframework.com").ToString(),
            // The start-up metadata warm-up must not reach for the public host: nothing answers on this port.
            ["ToBotFromChannelOpenIdMetadataUrl"] = $"http://127.0.0.1:{FreePort.Next()}/v1/.well-known/openidconfiguration",
            ["Connector:Retry:BaseDelay"] = "00:00:00.050",
            ["ConnectionStrings:Tables"] = "UseDevelopmentStorage=true",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        return BotServer.StartAsync(settings, services => services
            .AddHttpClient(MsalConnectorTokenProvider.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => LoopbackServer.HandlerTrusting(Certificate)));
    }

    string ServiceUrl => new Uri(connector.BaseAddress, "amer/").ToString();

    static Activity Message(string text) => Activity.CreateMessage(text);

    [Fact]
    public async Task A_send_carries_the_token_the_token_endpoint_issued()
    {
        await using var bot = await StartBotAsync();
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        var sent = await client.SendToConversationAsync(ServiceUrl, ConversationId, Message("hi"), CancellationToken.None);

        Assert.Equal("sent-1", sent.Id);
        var request = Assert.Single(connectorRequests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/amer/v3/conversations/a%3A1conversation/activities", request.Path);
        Assert.Equal("Bearer issued-token-1", request.Authorization);

        var token = Assert.Single(tokenRequests);
        Assert.Equal("/botframework.com/oauth2/v2.0/token", token.Path);
        Assert.Equal("client_credentials", token.Form["grant_type"]);
        Assert.Equal(AppId, token.Form["client_id"]);
        Assert.Equal("secret", token.Form["client_secret"]);
        Assert.Equal("https://api.botframework.com/.default", token.Form["scope"]);
    }

    [Fact]
    public async Task The_token_is_cached_across_sends()
    {
        await using var bot = await StartBotAsync();
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        await client.SendToConversationAsync(ServiceUrl, ConversationId, Message("one"), CancellationToken.None);
        // A fresh client from DI, as each request gets: the cache must live in the singleton token provider.
        await bot.Services.GetRequiredService<ConnectorClient>()
            .SendToConversationAsync(ServiceUrl, ConversationId, Message("two"), CancellationToken.None);

        Assert.Single(tokenRequests);
        Assert.Equal(2, connectorRequests.Count);
        Assert.All(connectorRequests, r => Assert.Equal("Bearer issued-token-1", r.Authorization));
    }

    [Fact]
    public async Task A_single_tenant_bot_gets_its_token_from_its_own_tenant()
    {
        await using var bot = await StartBotAsync(new Dictionary<string, string?>
        {
            ["MicrosoftAppType"] = "SingleTenant",
            ["MicrosoftAppTenantId"] = TenantId,
        });
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        await client.SendToConversationAsync(ServiceUrl, ConversationId, Message("hi"), CancellationToken.None);

        var token = Assert.Single(tokenRequests);
        Assert.Equal($"/{TenantId}/oauth2/v2.0/token", token.Path);
        Assert.Equal("https://api.botframework.com/.default", token.Form["scope"]);
        Assert.Equal("Bearer issued-token-1", Assert.Single(connectorRequests).Authorization);
    }

    [Fact]
    public async Task A_429_with_Retry_After_is_retried_after_that_delay_and_succeeds()
    {
        scripted.Enqueue(ctx =>
        {
            ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ctx.Response.Headers.RetryAfter = "1";
            return Task.CompletedTask;
        });
        await using var bot = await StartBotAsync();
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        var clock = Stopwatch.StartNew();
        var sent = await client.ReplyToActivityAsync(ServiceUrl, ConversationId, "activity-1", Message("hi"), CancellationToken.None);
        clock.Stop();

        Assert.Equal("sent-2", sent.Id);
        Assert.Equal(2, connectorRequests.Count);
        Assert.All(connectorRequests, r => Assert.Equal("/amer/v3/conversations/a%3A1conversation/activities/activity-1", r.Path));
        Assert.All(connectorRequests, r => Assert.Equal("Bearer issued-token-1", r.Authorization));
        Assert.All(connectorRequests, r => Assert.Contains("\"text\":\"hi\"", r.Body));
        // Retry-After (1 s) wins over the 50 ms base delay.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_user_who_blocked_the_bot_is_not_retried()
    {
        scripted.Enqueue(async ctx =>
        {
            ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
            await ctx.Response.WriteAsJsonAsync(new { error = new { code = "MessageWritesBlocked", message = "The bot is blocked by the user." } });
        });
        await using var bot = await StartBotAsync();
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            client.SendToConversationAsync(ServiceUrl, ConversationId, Message("hi"), CancellationToken.None));

        Assert.True(error.IsBlockedByUser);
        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.Equal("MessageWritesBlocked", error.Code);
        Assert.Single(connectorRequests);
    }

    [Fact]
    public async Task Transient_failures_are_retried_a_bounded_number_of_times()
    {
        for (var i = 0; i < 10; i++)
            scripted.Enqueue(ctx =>
            {
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return Task.CompletedTask;
            });
        await using var bot = await StartBotAsync(new Dictionary<string, string?> { ["Connector:Retry:MaxRetryAttempts"] = "2" });
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            client.SendToConversationAsync(ServiceUrl, ConversationId, Message("hi"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
        Assert.False(error.IsBlockedByUser);
        Assert.Equal(3, connectorRequests.Count);
    }

    [Fact]
    public async Task An_attempt_that_times_out_is_retried()
    {
        scripted.Enqueue(async ctx =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The client gave up on this attempt, as it should.
            }
        });
        // Long enough that the second, prompt attempt never times out too on a loaded machine; far below the 10 s hang.
        await using var bot = await StartBotAsync(new Dictionary<string, string?> { ["Connector:Retry:AttemptTimeout"] = "00:00:01.500" });
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        var clock = Stopwatch.StartNew();
        var sent = await client.SendToConversationAsync(ServiceUrl, ConversationId, Message("hi"), CancellationToken.None);

        Assert.Equal("sent-2", sent.Id);
        Assert.Equal(2, connectorRequests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task When_every_attempt_times_out_the_failure_is_an_HttpRequestException()
    {
        for (var i = 0; i < 3; i++)
            scripted.Enqueue(async ctx =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
            });
        await using var bot = await StartBotAsync(new Dictionary<string, string?>
        {
            ["Connector:Retry:AttemptTimeout"] = "00:00:00.200",
            ["Connector:Retry:MaxRetryAttempts"] = "1",
        });
        var client = bot.Services.GetRequiredService<ConnectorClient>();

        // MessagesEndpoint turns HttpRequestException into 502; anything else would be a 500.
        var error = await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.SendToConversationAsync(ServiceUrl, ConversationId, Message("hi"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.GatewayTimeout, error.StatusCode);
        Assert.Equal(2, connectorRequests.Count);
    }

    [Theory]
    [InlineData("http://example.invalid/amer/")]
    [InlineData("HTTP://EXAMPLE.INVALID/")]
    [InlineData("http://10.0.0.5:8080/")]
    public async Task A_token_is_never_sent_over_plain_HTTP_to_another_machine(string serviceUrl)
    {
        var handler = new RecordingHandler();
        var client = new ConnectorClient(new HttpClient(handler), TokenProvider("secret-token"));

        var send = await Assert.ThrowsAsync<ConnectorException>(() =>
            client.SendToConversationAsync(serviceUrl, ConversationId, Message("hi"), CancellationToken.None));
        var reply = await Assert.ThrowsAsync<ConnectorException>(() =>
            client.ReplyToActivityAsync(serviceUrl, ConversationId, "activity-1", Message("hi"), CancellationToken.None));

        Assert.All([send, reply], error => Assert.Equal("InsecureServiceUrl", error.Code));
        Assert.Empty(handler.Requests);
    }

    // The control for the test above: the same client and handler do send, token included, where that is safe.
    [Theory]
    [InlineData("https://example.invalid/amer/")]
    [InlineData("http://127.0.0.1:9/")]
    [InlineData("http://[::1]:9/")]
    public async Task A_token_is_sent_over_HTTPS_or_to_this_machine(string serviceUrl)
    {
        var handler = new RecordingHandler();
        var client = new ConnectorClient(new HttpClient(handler), TokenProvider("secret-token"));

        var sent = await client.SendToConversationAsync(serviceUrl, ConversationId, Message("hi"), CancellationToken.None);

        Assert.Equal("sent-1", sent.Id);
        var request = Assert.Single(handler.Requests);
        Assert.Equal("Bearer secret-token", request.Authorization);
        Assert.StartsWith(serviceUrl, request.Uri.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    static IConnectorTokenProvider TokenProvider(string token)
    {
        var tokens = new Mock<IConnectorTokenProvider>();
        tokens.Setup(t => t.GetTokenAsync(It.IsAny<CancellationToken>())).ReturnsAsync(token);
        return tokens.Object;
    }

    // Answers every request itself, so nothing leaves the process.
    sealed class RecordingHandler : HttpMessageHandler
    {
        public ConcurrentQueue<(Uri Uri, string? Authorization)> Requests { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            Requests.Enqueue((request.RequestUri!, request.Headers.Authorization?.ToString()));
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created)
            {
                Content = new StringContent("""{"id":"sent-1"}""", System.Text.Encoding.UTF8, "application/json"),
            });
        }
    }
}
