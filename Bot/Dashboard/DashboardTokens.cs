using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using SupportBot.Protocol;

namespace SupportBot.Dashboard;

// Entra ID tokens for the dashboard: the Teams tab's SSO token (or any token the dashboard's app registration was issued
// for) sent as a bearer. Signature by a key from the tenant's OpenID metadata (kept by the same ChannelMetadata cache
// that serves the Bot Framework keys: background refresh, awaited refresh on an unknown key, last good copy), issuer of
// that tenant (v2 or v1 form), audience the app (its id, api://{id} or api://{host}/{id}), lifetime with 5 min skew.
public sealed class DashboardTokens(IOptions<DashboardOptions> options, [FromKeyedServices(DashboardTokens.MetadataKey)] ChannelMetadata metadata, ILogger<DashboardTokens> logger)
{
    public const string MetadataKey = "dashboard";
    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    // null: refused (the reason is logged without the token).
    public async Task<ClaimsIdentity?> ValidateAsync(string token, CancellationToken ct)
    {
        var o = options.Value;
        if (!o.SignInConfigured || !handler.CanReadToken(token)) return null;
        OpenIdConnectConfiguration config;
        try
        {
            config = await metadata.GetAsync(ct);
        }
        catch (MetadataUnavailableException)
        {
            logger.LogWarning("Dashboard token not checked: no OpenID metadata from the tenant");
            return null;
        }
        var result = await handler.ValidateTokenAsync(token, Parameters(o, config));
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException && await metadata.RefreshAsync(config, ct) is { } refreshed)
            result = await handler.ValidateTokenAsync(token, Parameters(o, refreshed));
        if (!result.IsValid)
        {
            logger.LogInformation("Refused a dashboard token: {Reason}", result.Exception?.GetType().Name ?? "invalid");
            return null;
        }
        if (!string.Equals(result.ClaimsIdentity.FindFirst("tid")?.Value, o.TenantId, StringComparison.OrdinalIgnoreCase) || result.ClaimsIdentity.FindFirst("oid") is null)
        {
            logger.LogInformation("Refused a dashboard token: another tenant, or no user");
            return null;
        }
        return result.ClaimsIdentity;
    }

    static TokenValidationParameters Parameters(DashboardOptions o, OpenIdConnectConfiguration config) => new()
    {
        ValidIssuers = [config.Issuer.Replace("{tenantid}", o.TenantId, StringComparison.OrdinalIgnoreCase), $"https://sts.windows.net/{o.TenantId}/"],
        AudienceValidator = (audiences, _, _) => audiences.Any(a => IsOurAudience(a, o.ClientId!)),
        IssuerSigningKeys = config.SigningKeys,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = ClockSkew,
        TryAllIssuerSigningKeys = false,
    };

    static bool IsOurAudience(string audience, string clientId) =>
        string.Equals(audience, clientId, StringComparison.OrdinalIgnoreCase)
        || (audience.StartsWith("api://", StringComparison.OrdinalIgnoreCase) && audience.EndsWith("/" + clientId, StringComparison.OrdinalIgnoreCase))
        || string.Equals(audience, "api://" + clientId, StringComparison.OrdinalIgnoreCase);
}
