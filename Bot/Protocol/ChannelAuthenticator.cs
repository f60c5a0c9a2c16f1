using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace SupportBot.Protocol;

public enum AuthOutcome { Allowed, Unauthorized, Forbidden }

public sealed record AuthResult(AuthOutcome Outcome, string Reason, ClaimsIdentity? Identity = null, IReadOnlySet<string>? Endorsements = null)
{
    public static AuthResult Anonymous { get; } = new(AuthOutcome.Allowed, "anonymous development mode");
    public static AuthResult Deny401(string reason) => new(AuthOutcome.Unauthorized, reason);
    public static AuthResult Deny403(string reason) => new(AuthOutcome.Forbidden, reason);
}

// Validates the Connector's bearer token as the Bot Framework authentication spec requires:
// signature by a key from the channel's OpenID metadata, issuer, audience = our app id, lifetime with 5 min skew,
// then (once the activity is parsed) the serviceurl claim and the signing key's channel endorsements.
public sealed class ChannelAuthenticator(
    IOptions<BotOptions> options,
    ChannelMetadata metadata,
    ILogger<ChannelAuthenticator> logger)
{
    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    public bool IsAnonymous => options.Value.IsAnonymous;

    public async Task<AuthResult> AuthenticateAsync(string? authorizationHeader, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(authorizationHeader))
            return IsAnonymous ? AuthResult.Anonymous : AuthResult.Deny401("missing Authorization header");

        // With no app id there is no audience to check a token against: development mode ignores it.
        if (IsAnonymous)
            return AuthResult.Anonymous;

        const string scheme = "Bearer ";
        if (!authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return AuthResult.Deny401("Authorization header is not a bearer token");
        var token = authorizationHeader[scheme.Length..].Trim();
        if (!handler.CanReadToken(token))
            return AuthResult.Deny401("bearer token is not a JWT");

        var config = await metadata.GetAsync(ct);
        var result = await ValidateAsync(token, config);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Keys rotate: an unknown kid forces one metadata refresh (awaited) before the token is refused.
            logger.LogInformation("Signing key not in cached metadata; refreshing OpenID metadata");
            if (await metadata.RefreshAsync(config, ct) is { } refreshed)
            {
                config = refreshed;
                result = await ValidateAsync(token, config);
            }
        }

        if (!result.IsValid)
        {
            logger.LogWarning("Rejected channel token: {Reason}", result.Exception?.GetType().Name ?? "invalid");
            return result.Exception is SecurityTokenInvalidAudienceException
                ? AuthResult.Deny403("token is for another bot")
                : AuthResult.Deny401("invalid token");
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        return new AuthResult(AuthOutcome.Allowed, "token valid", result.ClaimsIdentity, EndorsementsOf(config, jwt.Kid));
    }

    // Checks that need the activity: the token must have been issued for this serviceUrl and this channel.
    public static AuthResult AuthorizeActivity(AuthResult auth, Activity activity)
    {
        if (auth.Outcome != AuthOutcome.Allowed || auth.Identity is null)
            return auth;

        var serviceUrl = auth.Identity.FindFirst("serviceurl")?.Value;
        if (string.IsNullOrEmpty(serviceUrl))
            return AuthResult.Deny401("token has no serviceurl claim");
        if (!string.Equals(serviceUrl.TrimEnd('/'), activity.ServiceUrl?.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            return AuthResult.Deny403("serviceurl claim does not match the activity");
        if (string.IsNullOrEmpty(activity.ChannelId) || auth.Endorsements is null || !auth.Endorsements.Contains(activity.ChannelId))
            return AuthResult.Deny403("signing key is not endorsed for this channel");
        return auth;
    }

    Task<TokenValidationResult> ValidateAsync(string token, OpenIdConnectConfiguration config) =>
        handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = options.Value.Endpoints.TokenIssuer,
            ValidAudience = options.Value.MicrosoftAppId,
            IssuerSigningKeys = config.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            TryAllIssuerSigningKeys = false,
        });

    static HashSet<string> EndorsementsOf(OpenIdConnectConfiguration config, string? kid)
    {
        var key = config.JsonWebKeySet?.Keys.FirstOrDefault(k => k.Kid == kid);
        var endorsements = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (key is null || !key.AdditionalData.TryGetValue("endorsements", out var raw))
            return endorsements;
        switch (raw)
        {
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                foreach (var e in array.EnumerateArray())
                    if (e.ValueKind == JsonValueKind.String) endorsements.Add(e.GetString()!);
                break;
            case IEnumerable<object> list:
                foreach (var e in list) if (e?.ToString() is { } s) endorsements.Add(s);
                break;
        }
        return endorsements;
    }
}

// The channel's OpenID metadata (issuer and signing keys), cached and refreshed every 12 hours.
// Not IdentityModel's ConfigurationManager: its RequestRefresh only starts a background fetch and the next read still
// returns the old keys, so a token signed with a freshly rotated key would be refused. Here a forced refresh is awaited,
// and rate-limited so that tokens with made-up kids cannot make the bot hammer the metadata host.
public sealed class ChannelMetadata(string metadataUrl, IDocumentRetriever retriever, TimeProvider time, ILogger<ChannelMetadata> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(12);
    public static readonly TimeSpan MinimumForcedRefreshInterval = TimeSpan.FromMinutes(1);
    static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);

    sealed record Snapshot(OpenIdConnectConfiguration Configuration, DateTimeOffset RefreshAfter);

    readonly SemaphoreSlim gate = new(1, 1);
    volatile Snapshot? current;
    DateTimeOffset lastForcedRefresh = DateTimeOffset.MinValue;

    public async Task<OpenIdConnectConfiguration> GetAsync(CancellationToken ct)
    {
        if (current is { } fresh && time.GetUtcNow() < fresh.RefreshAfter)
            return fresh.Configuration;
        await gate.WaitAsync(ct);
        try
        {
            var snapshot = current;
            return snapshot is not null && time.GetUtcNow() < snapshot.RefreshAfter
                ? snapshot.Configuration
                : await FetchAsync(snapshot, ct);
        }
        finally
        {
            gate.Release();
        }
    }

    // For a token whose key is not in `seen`: newer metadata, or null when there is none to be had right now.
    public async Task<OpenIdConnectConfiguration?> RefreshAsync(OpenIdConnectConfiguration seen, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            var snapshot = current;
            if (snapshot is not null && !ReferenceEquals(snapshot.Configuration, seen))
                return snapshot.Configuration; // another request refreshed meanwhile
            var now = time.GetUtcNow();
            if (now - lastForcedRefresh < MinimumForcedRefreshInterval)
                return null;
            lastForcedRefresh = now;
            var refreshed = await FetchAsync(snapshot, ct);
            return ReferenceEquals(refreshed, seen) ? null : refreshed;
        }
        finally
        {
            gate.Release();
        }
    }

    // Under the gate. A failed refresh keeps the old metadata for a minute rather than refusing every request.
    async Task<OpenIdConnectConfiguration> FetchAsync(Snapshot? stale, CancellationToken ct)
    {
        try
        {
            var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(metadataUrl, retriever, ct);
            current = new Snapshot(configuration, time.GetUtcNow() + RefreshInterval);
            return configuration;
        }
        catch (Exception ex) when (stale is not null && !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not refresh OpenID metadata from {Url}; keeping the cached keys", metadataUrl);
            current = stale with { RefreshAfter = time.GetUtcNow() + RetryAfterFailure };
            return stale.Configuration;
        }
    }
}
