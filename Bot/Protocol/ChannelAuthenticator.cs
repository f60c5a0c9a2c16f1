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

public sealed class MetadataUnavailableException(string url, Exception? cause)
    : Exception($"No OpenID metadata from {url}: {cause?.Message ?? "not fetched yet"}", cause);

// The channel's OpenID metadata (issuer and signing keys), kept in memory. Fetched at start-up (ChannelMetadataWarmUp);
// a read past RefreshInterval starts a refresh in the background and is served the copy there is, and while the host
// is down the last good copy goes on being served, as the SDK's ConfigurationManager does. One fetch at a time, shared by
// everyone who needs it, and a failure is remembered for FailureBackoff: with the host down, requests are answered at
// once (from the old copy, or 503 when there is none) instead of each waiting for its own timeout.
// Not IdentityModel's ConfigurationManager: its RequestRefresh only starts a background fetch and the next read still
// returns the old keys, so a token signed with a freshly rotated key would be refused. Here the refresh for an unknown
// kid is awaited, and rate-limited so that tokens with made-up kids cannot make the bot hammer the metadata host.
public sealed class ChannelMetadata(string metadataUrl, IDocumentRetriever retriever, TimeProvider time, ILogger<ChannelMetadata> logger)
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromHours(12);
    public static readonly TimeSpan MinimumForcedRefreshInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan FailureBackoff = TimeSpan.FromSeconds(30);

    sealed record Snapshot(OpenIdConnectConfiguration Configuration, DateTimeOffset FetchedAt);
    sealed record Failure(Exception Error, DateTimeOffset RetryAfter);

    readonly Lock sync = new();
    Snapshot? current;
    Failure? failure;
    Task<Snapshot?>? fetching;
    DateTimeOffset lastForcedRefresh = DateTimeOffset.MinValue;

    // Starts the first fetch without waiting for it.
    public void StartWarming()
    {
        lock (sync)
            if (current is null && MayFetch(time.GetUtcNow()))
                StartFetch();
    }

    public async Task<OpenIdConnectConfiguration> GetAsync(CancellationToken ct)
    {
        Task<Snapshot?> fetch;
        lock (sync)
        {
            var now = time.GetUtcNow();
            if (current is { } snapshot)
            {
                if (now - snapshot.FetchedAt >= RefreshInterval && MayFetch(now))
                    StartFetch();
                return snapshot.Configuration;
            }
            if (fetching is null && !MayFetch(now))
                throw Unavailable();
            fetch = StartFetch();
        }
        return (await fetch.WaitAsync(ct))?.Configuration ?? throw Unavailable();
    }

    // For a token whose key is not in `seen`: newer metadata, or null when there is none to be had right now.
    public async Task<OpenIdConnectConfiguration?> RefreshAsync(OpenIdConnectConfiguration seen, CancellationToken ct)
    {
        Task<Snapshot?> fetch;
        lock (sync)
        {
            if (current is { } snapshot && !ReferenceEquals(snapshot.Configuration, seen))
                return snapshot.Configuration; // another request refreshed meanwhile
            if (fetching is null)
            {
                var now = time.GetUtcNow();
                if (now - lastForcedRefresh < MinimumForcedRefreshInterval || !MayFetch(now))
                    return null;
                lastForcedRefresh = now;
            }
            fetch = StartFetch();
        }
        var refreshed = (await fetch.WaitAsync(ct))?.Configuration;
        return refreshed is null || ReferenceEquals(refreshed, seen) ? null : refreshed;
    }

    // Under the lock.
    bool MayFetch(DateTimeOffset now) => failure is null || now >= failure.RetryAfter;

    // Under the lock. The fetch belongs to no request, so no caller's cancellation cuts it short (the HttpClient's
    // timeout bounds it); callers stop waiting for it with their own token.
    Task<Snapshot?> StartFetch() => fetching ??= Task.Run(FetchAsync);

    MetadataUnavailableException Unavailable()
    {
        lock (sync)
            return new MetadataUnavailableException(metadataUrl, failure?.Error);
    }

    // Never faults: a failure is recorded, and the result is the copy still in use (null when there is none).
    async Task<Snapshot?> FetchAsync()
    {
        Snapshot? fetched = null;
        Exception? error = null;
        try
        {
            fetched = new Snapshot(await OpenIdConnectConfigurationRetriever.GetAsync(metadataUrl, retriever, CancellationToken.None), time.GetUtcNow());
        }
        catch (Exception ex)
        {
            // Unreachable, timed out or not a metadata document: all the same to a request, which has no new keys.
            error = ex;
        }

        Snapshot? inUse;
        lock (sync)
        {
            fetching = null;
            if (fetched is not null)
            {
                current = fetched;
                failure = null;
            }
            else
            {
                failure = new Failure(error!, time.GetUtcNow() + FailureBackoff);
            }
            inUse = current;
        }
        if (error is not null)
            logger.LogWarning(error, "Could not fetch OpenID metadata from {Url}; {Consequence} for {Backoff}", metadataUrl,
                inUse is null ? "requests get 503" : "serving the cached keys", FailureBackoff);
        return inUse;
    }
}

// Fetches the metadata while the host starts, so the first request does not wait for it; start-up does not wait either.
public sealed class ChannelMetadataWarmUp(ChannelMetadata metadata, IOptions<BotOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        if (!options.Value.IsAnonymous)
            metadata.StartWarming();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
