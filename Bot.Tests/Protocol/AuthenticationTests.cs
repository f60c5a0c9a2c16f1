using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Protocol;

// Inbound authentication of POST /api/messages against a fake Bot Framework OpenID metadata + JWKS server.
public sealed class AuthenticationTests : IAsyncLifetime
{
    const string AppId = "0b6a3e0c-3f0e-4c55-9a8e-4d6f1d5c2a71";
    const string Issuer = "https://api.botframework.com";
    const string ServiceUrl = "https://smba.trafficmanager.net/amer/";

    // RSA key generation is slow-ish: one set for the whole class.
    static readonly RsaSecurityKey TeamsKey = NewKey("teams-key-1");
    static readonly RsaSecurityKey WebChatOnlyKey = NewKey("webchat-key-1");
    static readonly RsaSecurityKey RotatedKey = NewKey("teams-key-2");
    static readonly RsaSecurityKey UnknownKey = NewKey("never-published");
    // Same kid as the published Teams key, different key material: a forged signature.
    static readonly RsaSecurityKey ImpostorKey = NewKey(TeamsKey.KeyId);

    readonly List<(RsaSecurityKey Key, string[] Endorsements)> published =
    [
        (TeamsKey, ["msteams", "skype"]),
        (WebChatOnlyKey, ["webchat"]),
    ];
    readonly RecordingBot recorder = new();
    readonly HttpClient http = new();
    readonly MovableClock clock = new();
    int keyRequests;
    int configRequests;
    // While set, the metadata host fails (500: IdentityModel's retriever retries a 503 once, which would blur the counts).
    volatile bool metadataDown;
    LoopbackServer metadata = null!;
    BotServer bot = null!;

    Uri MetadataUrl => new(metadata.BaseAddress, "v1/.well-known/openidconfiguration");

    public async Task InitializeAsync()
    {
        metadata = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/v1/.well-known/openidconfiguration", (HttpContext ctx) =>
            {
                Interlocked.Increment(ref configRequests);
                return metadataDown ? Results.StatusCode(500) : Results.Json(new
                {
                    issuer = Issuer,
                    jwks_uri = $"{ctx.Request.Scheme}://{ctx.Request.Host}/v1/.well-known/keys",
                    id_token_signing_alg_values_supported = new[] { "RS256" },
                });
            });
            app.MapGet("/v1/.well-known/keys", () =>
            {
                Interlocked.Increment(ref keyRequests);
                if (metadataDown)
                    return Results.StatusCode(500);
                lock (published)
                    return Results.Json(new { keys = published.Select(p => Jwk(p.Key, p.Endorsements)).ToArray() });
            });
        });

        bot = await StartBotAsync(MetadataUrl, clock, recorder);
    }

    static Task<BotServer> StartBotAsync(Uri metadataUrl, TimeProvider clock, IBot bot) => BotServer.StartAsync(
        new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = AppId,
            ["MicrosoftAppPassword"] = "secret",
            ["ToBotFromChannelOpenIdMetadataUrl"] = metadataUrl.ToString(),
            ["ToBotFromChannelTokenIssuer"] = Issuer,
            ["ConnectionStrings:Tables"] = "UseDevelopmentStorage=true",
        },
        services => services.AddSingleton(clock).AddSingleton(bot));

    public async Task DisposeAsync()
    {
        http.Dispose();
        await bot.DisposeAsync();
        await metadata.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_token_is_accepted_and_the_turn_runs_once()
    {
        var response = await PostAsync(Token());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, recorder.Turns);
        Assert.Equal("hello", recorder.LastActivity?.Text);
    }

    [Fact]
    public async Task A_bot_that_cannot_get_an_outbound_token_still_checks_and_accepts_activities()
    {
        // An app id without a password: the real bot runs the turn, cannot reply, logs it, and acknowledges.
        await using var realBot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = AppId,
            ["ToBotFromChannelOpenIdMetadataUrl"] = new Uri(metadata.BaseAddress, "v1/.well-known/openidconfiguration").ToString(),
            ["ToBotFromChannelTokenIssuer"] = Issuer,
            ["ConnectionStrings:Tables"] = "UseDevelopmentStorage=true",
        });

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(null, realBot)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token(), realBot)).StatusCode);
    }

    [Fact]
    public async Task A_token_expired_two_minutes_ago_is_accepted_within_the_clock_skew()
    {
        var response = await PostAsync(Token(expires: DateTime.UtcNow.AddMinutes(-2)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, recorder.Turns);
    }

    [Fact]
    public async Task No_token_is_refused_when_an_app_id_is_configured()
    {
        var response = await PostAsync(token: null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_header_that_is_not_a_bearer_JWT_is_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("not-a-jwt")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("e30.e30.bm90LWEtc2lnbmF0dXJl")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostRawAuthorizationAsync("Basic " + Token())).StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_forged_signature_under_a_known_kid_is_refused()
    {
        var response = await PostAsync(Token(signingKey: ImpostorKey));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        // The valid token's claims, re-wrapped as an unsigned JWT that names the published key.
        var payload = Token().Split('.')[1];
        var header = Base64UrlEncoder.Encode($$"""{"alg":"none","typ":"JWT","kid":"{{TeamsKey.KeyId}}"}""");
        var unsigned = $"{header}.{payload}.";

        var response = await PostAsync(unsigned);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_token_expired_beyond_the_five_minute_skew_is_refused()
    {
        var response = await PostAsync(Token(expires: DateTime.UtcNow.AddMinutes(-6)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_token_from_another_issuer_is_refused()
    {
        var response = await PostAsync(Token(issuer: "https://sts.windows.net/evil/"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_token_for_another_bot_is_forbidden()
    {
        var response = await PostAsync(Token(audience: Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_token_without_a_serviceurl_claim_is_refused()
    {
        var response = await PostAsync(Token(serviceUrl: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_token_issued_for_another_serviceUrl_is_forbidden()
    {
        var response = await PostAsync(Token(serviceUrl: "https://attacker.example/amer/"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task A_token_signed_by_a_key_not_endorsed_for_msteams_is_forbidden()
    {
        var response = await PostAsync(Token(signingKey: WebChatOnlyKey));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task An_unknown_kid_forces_a_metadata_refresh_and_is_still_refused()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token())).StatusCode);
        var before = Volatile.Read(ref keyRequests);
        Assert.Equal(1, before);

        var response = await PostAsync(Token(signingKey: UnknownKey));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(Volatile.Read(ref keyRequests) > before, "an unknown kid should refetch the signing keys");
        Assert.Equal(1, recorder.Turns);
    }

    [Fact]
    public async Task A_key_published_after_the_keys_were_cached_is_accepted_after_the_refresh()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token())).StatusCode);
        lock (published)
            published.Add((RotatedKey, ["msteams"]));

        var response = await PostAsync(Token(signingKey: RotatedKey));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, recorder.Turns);
        Assert.Equal(2, Volatile.Read(ref keyRequests));
    }

    [Fact]
    public async Task Repeated_unknown_kids_do_not_refetch_the_keys_every_time()
    {
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(Token(signingKey: UnknownKey))).StatusCode);

        // One fetch to fill the cache, at most one forced refresh after that.
        Assert.InRange(Volatile.Read(ref keyRequests), 1, 2);
        Assert.Equal(0, recorder.Turns);
    }

    [Fact]
    public async Task With_the_metadata_host_down_valid_tokens_are_still_accepted_with_the_cached_keys()
    {
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token())).StatusCode);
        var fetched = Volatile.Read(ref configRequests);
        Assert.Equal(1, fetched);

        metadataDown = true;
        clock.Advance(ChannelMetadata.RefreshInterval + TimeSpan.FromHours(1));

        // Stale now: the first request starts a refresh in the background and is answered from the cached keys.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token())).StatusCode);
        await WaitUntilAsync(() => Volatile.Read(ref configRequests) == fetched + 1, "the background refresh to be tried");
        // Let the failed refresh land before the next requests, so they meet the bot after the failure.
        await Task.Delay(300);

        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token())).StatusCode);

        Assert.Equal(6 + 1, recorder.Turns);
        // The failure is remembered: no request queued behind another fetch of its own.
        Assert.Equal(fetched + 1, Volatile.Read(ref configRequests));
    }

    [Fact]
    public async Task With_no_metadata_yet_and_the_host_down_concurrent_requests_share_one_fetch_and_the_failure_is_remembered()
    {
        var calls = 0;
        var down = true;
        await using var slowHost = await LoopbackServer.StartAsync(app => app.MapGet("/v1/.well-known/openidconfiguration", async () =>
        {
            Interlocked.Increment(ref calls);
            if (!Volatile.Read(ref down))
                return Results.Json(new { issuer = Issuer, jwks_uri = new Uri(metadata.BaseAddress, "v1/.well-known/keys").ToString() });
            // A slow failure, as a host that times out: requests arriving meanwhile must wait for this one fetch.
            await Task.Delay(TimeSpan.FromSeconds(1));
            return Results.StatusCode(500);
        }));
        var coldClock = new MovableClock();
        var coldRecorder = new RecordingBot();
        await using var coldBot = await StartBotAsync(new Uri(slowHost.BaseAddress, "v1/.well-known/openidconfiguration"), coldClock, coldRecorder);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => PostAsync(Token(), coldBot)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode));
        Assert.Equal(1, Volatile.Read(ref calls));

        // Within the back-off a request is refused at once, without a fetch.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(Token(), coldBot)).StatusCode);
        Assert.Equal(1, Volatile.Read(ref calls));

        // After it, the next request tries again, and gets through once the host is back.
        Volatile.Write(ref down, false);
        coldClock.Advance(ChannelMetadata.FailureBackoff + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Token(), coldBot)).StatusCode);
        Assert.Equal(2, Volatile.Read(ref calls));
        Assert.Equal(1, coldRecorder.Turns);
    }

    // Issue 12, auth under pressure: the whole negative matrix sent concurrently (bounded: 8 workers, a few hundred
    // requests), through a signing-key rollover and a metadata outage, then a cold instance with the host down.
    [Fact]
    public async Task Under_load_the_negative_matrix_holds_through_a_key_rollover_and_a_metadata_outage_and_a_cold_bot_fails_closed()
    {
        var signWith = TeamsKey;
        (string Name, Func<string?> Authorization, HttpStatusCode Expected)[] matrix =
        [
            ("valid", () => "Bearer " + Token(signingKey: Volatile.Read(ref signWith)), HttpStatusCode.OK),
            ("no header", () => null, HttpStatusCode.Unauthorized),
            ("not bearer", () => "Basic " + Token(), HttpStatusCode.Unauthorized),
            ("not a JWT", () => "Bearer e30.e30.bm90LWEtc2lnbmF0dXJl", HttpStatusCode.Unauthorized),
            ("forged signature", () => "Bearer " + Token(signingKey: ImpostorKey), HttpStatusCode.Unauthorized),
            ("alg none", () => "Bearer " + Base64UrlEncoder.Encode($$"""{"alg":"none","kid":"{{TeamsKey.KeyId}}"}""") + "." + Token().Split('.')[1] + ".", HttpStatusCode.Unauthorized),
            ("expired", () => "Bearer " + Token(expires: DateTime.UtcNow.AddMinutes(-6)), HttpStatusCode.Unauthorized),
            ("other issuer", () => "Bearer " + Token(issuer: "https://sts.windows.net/evil/"), HttpStatusCode.Unauthorized),
            ("other bot", () => "Bearer " + Token(audience: Guid.NewGuid().ToString()), HttpStatusCode.Forbidden),
            ("no serviceurl", () => "Bearer " + Token(serviceUrl: null), HttpStatusCode.Unauthorized),
            ("other serviceurl", () => "Bearer " + Token(serviceUrl: "https://attacker.example/amer/"), HttpStatusCode.Forbidden),
            ("not endorsed for msteams", () => "Bearer " + Token(signingKey: WebChatOnlyKey), HttpStatusCode.Forbidden),
            ("unknown kid", () => "Bearer " + Token(signingKey: UnknownKey), HttpStatusCode.Unauthorized),
        ];
        var wrong = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var valid = 0;
        async Task LoadAsync(BotServer to, int requests, Func<string, HttpStatusCode, HttpStatusCode>? expect = null)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < requests)
                {
                    var (name, authorization, expected) = matrix[i % matrix.Length];
                    var want = expect?.Invoke(name, expected) ?? expected;
                    var status = (await PostRawAuthorizationAsync(authorization(), to)).StatusCode;
                    if (status != want) wrong.Enqueue($"{name}: {(int)status}, expected {(int)want}");
                    if (status == HttpStatusCode.OK) Interlocked.Increment(ref valid);
                }
            }));
        }

        await LoadAsync(bot, 260);
        // Rollover: a new key is published and tokens are signed with it from now on; an unknown kid may force a
        // refresh once the minimum interval has passed, which brings the new key in (whoever's token triggers it).
        lock (published) published.Add((RotatedKey, ["msteams"]));
        Volatile.Write(ref signWith, RotatedKey);
        clock.Advance(ChannelMetadata.MinimumForcedRefreshInterval);
        await LoadAsync(bot, 260);
        // The old key is withdrawn and the metadata host goes down past the refresh interval: the cached keys go on working.
        lock (published) published.RemoveAll(p => p.Key == TeamsKey);
        metadataDown = true;
        clock.Advance(ChannelMetadata.RefreshInterval + TimeSpan.FromMinutes(5));
        await LoadAsync(bot, 260);

        Assert.Empty(wrong);
        Assert.Equal(60, valid); // 20 valid tokens in each round of 260, every one of them accepted
        Assert.Equal(60, recorder.Turns);

        // A cold instance that never got the keys, with the host down: every JWT, valid or not, is 503 (fail closed, the
        // channel retries later), nothing is ever accepted, and a request with no bearer token at all is still 401.
        var coldRecorder = new RecordingBot();
        await using var cold = await StartBotAsync(MetadataUrl, new MovableClock(), coldRecorder);
        valid = 0;
        await LoadAsync(cold, 130, (name, _) => name is "no header" or "not bearer" ? HttpStatusCode.Unauthorized : HttpStatusCode.ServiceUnavailable);
        Assert.Empty(wrong);
        Assert.Equal(0, valid);
        Assert.Equal(0, coldRecorder.Turns);
    }

    static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(10); waited += TimeSpan.FromMilliseconds(20))
        {
            if (condition()) return;
            await Task.Delay(20);
        }
        Assert.Fail($"Timed out waiting for {what}");
    }

    static string Token(
        RsaSecurityKey? signingKey = null,
        string? issuer = Issuer,
        string? audience = AppId,
        string? serviceUrl = ServiceUrl,
        DateTime? expires = null)
    {
        var notAfter = expires ?? DateTime.UtcNow.AddMinutes(30);
        var claims = new Dictionary<string, object>();
        if (serviceUrl is not null)
            claims["serviceurl"] = serviceUrl;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = notAfter.AddMinutes(-60),
            NotBefore = notAfter.AddMinutes(-60),
            Expires = notAfter,
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey ?? TeamsKey, SecurityAlgorithms.RsaSha256),
        });
    }

    Task<HttpResponseMessage> PostAsync(string? token, BotServer? to = null) =>
        PostRawAuthorizationAsync(token is null ? null : "Bearer " + token, to);

    async Task<HttpResponseMessage> PostRawAuthorizationAsync(string? authorization, BotServer? to = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, (to ?? bot).MessagesEndpoint)
        {
            Content = JsonContent.Create(new JsonObject
            {
                ["type"] = "message",
                ["id"] = "activity-1",
                ["channelId"] = "msteams",
                ["serviceUrl"] = ServiceUrl,
                ["conversation"] = new JsonObject { ["id"] = "a:1conversation" },
                ["from"] = new JsonObject { ["id"] = "29:user", ["aadObjectId"] = Guid.NewGuid().ToString() },
                ["recipient"] = new JsonObject { ["id"] = "28:" + AppId },
                ["text"] = "hello",
            }),
        };
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return await http.SendAsync(request);
    }

    internal static RsaSecurityKey NewKey(string kid) => new(RSA.Create(2048)) { KeyId = kid };

    internal static object Jwk(RsaSecurityKey key, string[] endorsements)
    {
        var p = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new
        {
            kty = "RSA",
            use = "sig",
            kid = key.KeyId,
            n = Base64UrlEncoder.Encode(p.Modulus),
            e = Base64UrlEncoder.Encode(p.Exponent),
            endorsements,
        };
    }

    sealed class RecordingBot : IBot
    {
        int turns;
        public int Turns => Volatile.Read(ref turns);
        public Activity? LastActivity { get; private set; }

        public Task OnTurnAsync(TurnContext turn, CancellationToken ct)
        {
            LastActivity = turn.Activity;
            Interlocked.Increment(ref turns);
            return Task.CompletedTask;
        }
    }
}
