using System.Net;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tests.Protocol;

namespace SupportBot.Tests.Dashboard;

// Production mode: a stand-in Entra tenant (OpenID metadata and signing keys on loopback, LoopbackServer and the keys of the
// protocol tests) issues the tokens; the bot must show data to technicians only, and nothing at all to anyone else.
public sealed class DashboardAuthFixture : IAsyncLifetime
{
    public const string Tenant = "5f1b6b2e-8a1c-4c8e-9d3a-2b7f0c6e4a10";
    public const string ClientId = "0b6a3e0c-3f0e-4c55-9a8e-4d6f1d5c2a71";
    public const string TechnicianOid = "8d0c0c6b-0f5c-4f2e-9a55-1f7b2f6e0a01";
    public const string RequesterOid = "3c7e1a44-2d6b-4b0e-8f0f-7e9a0c2b5d02";
    public static readonly RsaSecurityKey TenantKey = AuthenticationTests.NewKey("tenant-key-1");
    // The published key's id, other key material: a forged signature.
    public static readonly RsaSecurityKey ForgedKey = AuthenticationTests.NewKey("tenant-key-1");

    readonly Azurite azurite = new();
    LoopbackServer entra = null!;
    public BotServer Bot { get; private set; } = null!;
    public string Issuer => $"https://login.microsoftonline.com/{Tenant}/v2.0";
    public Uri EntraAddress => entra.BaseAddress;

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // xUnit does not dispose a fixture that failed to start: Azurite would outlive the run
            throw;
        }
    }

    async Task StartAsync()
    {
        await azurite.InitializeAsync();
        await new DashboardSeed(new TableServiceClient(azurite.ConnectionString)).SeedAsync();
        entra = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet($"/{Tenant}/v2.0/.well-known/openid-configuration", (HttpContext ctx) =>
            {
                var self = $"{ctx.Request.Scheme}://{ctx.Request.Host}/{Tenant}";
                return Results.Json(new
                {
                    issuer = Issuer,
                    authorization_endpoint = $"{self}/oauth2/v2.0/authorize",
                    token_endpoint = $"{self}/oauth2/v2.0/token",
                    end_session_endpoint = $"{self}/oauth2/v2.0/logout",
                    jwks_uri = $"{self}/discovery/v2.0/keys",
                    response_types_supported = new[] { "code", "id_token", "code id_token" },
                    id_token_signing_alg_values_supported = new[] { "RS256" },
                });
            });
            app.MapGet($"/{Tenant}/discovery/v2.0/keys", () => Results.Json(new { keys = new[] { AuthenticationTests.Jwk(TenantKey, []) } }));
            // The Bot Framework's metadata too, so nothing leaves the machine.
            app.MapGet("/v1/.well-known/openidconfiguration", (HttpContext ctx) => Results.Json(new
            {
                issuer = "https://api.botframework.com",
                jwks_uri = $"{ctx.Request.Scheme}://{ctx.Request.Host}/{Tenant}/discovery/v2.0/keys",
            }));
        });
        Bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["MicrosoftAppId"] = ClientId,
            ["MicrosoftAppPassword"] = "secret",
            ["MicrosoftAppTenantId"] = Tenant,
            ["ToBotFromChannelOpenIdMetadataUrl"] = new Uri(entra.BaseAddress, "v1/.well-known/openidconfiguration").ToString(),
            ["Dashboard:Instance"] = entra.BaseAddress.ToString(),
            ["Support:Technicians:0"] = TechnicianOid,
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
        }, environment: "Production");
    }

    public async Task DisposeAsync()
    {
        if (Bot is not null) await Bot.DisposeAsync();
        if (entra is not null) await entra.DisposeAsync();
        await azurite.DisposeAsync();
    }

    public string Token(string oid = TechnicianOid, RsaSecurityKey? key = null, string? audience = null, string tenant = Tenant, DateTime? expires = null, string? issuer = null)
    {
        var notAfter = expires ?? DateTime.UtcNow.AddMinutes(60);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? $"https://login.microsoftonline.com/{tenant}/v2.0",
            Audience = audience ?? $"api://supportbot.example.org/{ClientId}",
            IssuedAt = notAfter.AddMinutes(-70),
            NotBefore = notAfter.AddMinutes(-70),
            Expires = notAfter,
            Claims = new Dictionary<string, object> { ["oid"] = oid, ["tid"] = tenant, ["name"] = "Someone", ["scp"] = "access_as_user" },
            SigningCredentials = new SigningCredentials(key ?? TenantKey, SecurityAlgorithms.RsaSha256),
        });
    }
}

public sealed class DashboardAuthTests(DashboardAuthFixture fixture) : IClassFixture<DashboardAuthFixture>, IDisposable
{
    static readonly string[] Routes = ["/dashboard", "/dashboard?days=7", "/dashboard/tickets/1003", "/api/queue", "/api/stats?days=30", "/api/tickets/1003"];
    // What the seeded data would show: none of it may appear in a refusal.
    static readonly string[] Data = ["Printer offline", "Wifi down", "Toner ordered", "Taylor Tech", "\"opened\"", "#1003", "\"tickets\""];
    readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });

    public void Dispose() => http.Dispose();

    async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(string path, string? token = null, string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Bot.BaseAddress, path));
        if (token is not null) request.Headers.Authorization = new("Bearer", token);
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    async Task AssertRefusedAsync(string? token, HttpStatusCode expected)
    {
        foreach (var route in Routes)
        {
            var (status, body, _) = await GetAsync(route, token);
            Assert.True(status == expected, $"{route}: {status}, expected {expected}");
            foreach (var datum in Data) Assert.DoesNotContain(datum, body);
        }
    }

    [Fact]
    public async Task Without_a_token_every_route_is_401_with_no_data() => await AssertRefusedAsync(null, HttpStatusCode.Unauthorized);

    [Fact]
    public async Task A_forged_token_is_401_with_no_data() => await AssertRefusedAsync(fixture.Token(key: DashboardAuthFixture.ForgedKey), HttpStatusCode.Unauthorized);

    [Fact]
    public async Task An_expired_token_is_401_with_no_data() => await AssertRefusedAsync(fixture.Token(expires: DateTime.UtcNow.AddMinutes(-10)), HttpStatusCode.Unauthorized);

    [Fact]
    public async Task A_token_for_another_app_or_tenant_is_401_with_no_data()
    {
        await AssertRefusedAsync(fixture.Token(audience: "api://supportbot.example.org/11111111-2222-3333-4444-555555555555"), HttpStatusCode.Unauthorized);
        await AssertRefusedAsync(fixture.Token(tenant: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", issuer: fixture.Issuer), HttpStatusCode.Unauthorized);
        await AssertRefusedAsync("not-a-jwt", HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_valid_token_of_someone_who_is_not_a_technician_is_403_with_no_data() =>
        await AssertRefusedAsync(fixture.Token(oid: DashboardAuthFixture.RequesterOid), HttpStatusCode.Forbidden);

    [Fact]
    public async Task A_technicians_token_sees_the_data_on_every_route()
    {
        var token = fixture.Token();
        foreach (var route in Routes)
        {
            var (status, body, _) = await GetAsync(route, token);
            Assert.True(status == HttpStatusCode.OK, $"{route}: {status}");
            Assert.Contains(route.StartsWith("/api/stats") ? "\"opened\"" : "Printer offline", body);
        }
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/dashboard", fixture.Token(audience: DashboardAuthFixture.ClientId))).Status); // aud = the app id
    }

    [Fact]
    public async Task The_Teams_tab_trades_its_SSO_token_for_a_cookie_only_for_a_technician()
    {
        using var refused = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Bot.BaseAddress, "/dashboard/session"))
        {
            Headers = { Authorization = new("Bearer", fixture.Token(oid: DashboardAuthFixture.RequesterOid)) },
        });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));

        using var expired = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Bot.BaseAddress, "/dashboard/session"))
        {
            Headers = { Authorization = new("Bearer", fixture.Token(expires: DateTime.UtcNow.AddMinutes(-10))) },
        });
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);

        using var accepted = await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Bot.BaseAddress, "/dashboard/session"))
        {
            Headers = { Authorization = new("Bearer", fixture.Token()) },
        });
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
        var setCookie = Assert.Single(accepted.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("SupportBot.Dashboard=", setCookie);
        foreach (var attribute in new[] { "secure", "samesite=none", "httponly" }) Assert.Contains(attribute, setCookie, StringComparison.OrdinalIgnoreCase);

        var cookie = setCookie.Split(';')[0];
        var (status, body, _) = await GetAsync("/api/queue", cookie: cookie);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Printer offline", body);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("/api/queue", cookie: "SupportBot.Dashboard=forged-value")).Status);
    }

    [Fact]
    public async Task The_browser_is_sent_to_Entra_to_sign_in_and_the_tab_page_signs_in_with_Teams()
    {
        var (status, _, response) = await GetAsync("/dashboard/sign-in");
        Assert.Equal(HttpStatusCode.Redirect, status);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(new Uri(fixture.EntraAddress, $"{DashboardAuthFixture.Tenant}/oauth2/v2.0/authorize").ToString(), location);
        Assert.Contains($"client_id={DashboardAuthFixture.ClientId}", location);
        Assert.Contains("response_type=id_token", location);
        Assert.Contains(Uri.EscapeDataString("/dashboard/signin-oidc"), location);

        var (refusedStatus, page, _) = await GetAsync("/dashboard");
        Assert.Equal(HttpStatusCode.Unauthorized, refusedStatus);
        Assert.Contains("href=\"/dashboard/sign-in\"", page);

        var (tabStatus, tab, _) = await GetAsync("/dashboard?inTeams=1&theme=dark");
        Assert.Equal(HttpStatusCode.Unauthorized, tabStatus);
        Assert.Contains("Signing you in with Teams", tab);
        var script = System.Text.RegularExpressions.Regex.Match(tab, "src=\"(/dashboard/assets/teams-js.js\\?v=[0-9a-f]+)\"").Groups[1].Value;
        var (scriptStatus, sdk, _) = await GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, scriptStatus);
        Assert.Contains("getAuthToken", sdk);
    }
}
