using System.Net;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Polly;
using Polly.Timeout;

namespace SupportBot.Protocol;

public static class ProtocolServiceCollectionExtensions
{
    public const string MetadataHttpClientName = "openid-metadata";

    public const string AnonymousOutsideDevelopment =
        "MicrosoftAppId is not set, and anonymous mode (no authentication) runs only in the Development environment. " +
        "Set MicrosoftAppId (with MicrosoftAppPassword or a certificate) or, on a developer machine, ASPNETCORE_ENVIRONMENT=Development.";

    static readonly HashSet<HttpStatusCode> Transient =
    [
        HttpStatusCode.TooManyRequests, HttpStatusCode.PreconditionFailed,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    public static IServiceCollection AddBotProtocol(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BotOptions>()
            .Bind(configuration)
            .Validate<IHostEnvironment>((o, environment) => !o.IsAnonymous || environment.IsDevelopment(), AnonymousOutsideDevelopment)
            .ValidateOnStart();
        services.AddOptions<MessagingOptions>()
            .Bind(configuration.GetSection("Messaging"))
            .Validate(o => o.MaxActivityBytes > 0 && o.TurnDeadline > TimeSpan.Zero, "Messaging:MaxActivityBytes and Messaging:TurnDeadline must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        // Teams gives up on a turn after 15 s: a slow metadata host must not hold requests for the default 100 s.
        services.AddHttpClient(MetadataHttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton(sp =>
        {
            var url = sp.GetRequiredService<IOptions<BotOptions>>().Value.Endpoints.OpenIdMetadataUrl;
            var retriever = new HttpDocumentRetriever(sp.GetRequiredService<IHttpClientFactory>().CreateClient(MetadataHttpClientName))
            {
                // Metadata must come over HTTPS; plain HTTP only to a server on this machine (test doubles).
                RequireHttps = !new Uri(url).IsLoopback,
            };
            return new ChannelMetadata(url, retriever, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ChannelMetadata>>());
        });
        services.AddHostedService<ChannelMetadataWarmUp>();
        services.AddSingleton<ChannelAuthenticator>();

        services.AddHttpClient(MsalConnectorTokenProvider.HttpClientName);
        services.AddSingleton<IConnectorTokenProvider, MsalConnectorTokenProvider>();

        // No IHttpClientFactory logging: it opens a scope and formats a URI for every call even when its category is
        // filtered out (a measurable share of a turn's CPU); failures surface through ConnectorClient's exceptions.
        services.AddHttpClient<ConnectorClient>(ConnectorClient.HttpClientName)
            .RemoveAllLoggers()
            .AddResilienceHandler("connector", (pipeline, context) =>
            {
                var retry = context.ServiceProvider.GetService<IOptions<ConnectorRetryOptions>>()?.Value ?? new ConnectorRetryOptions();
                // Outermost: however the retries go, a call gives up in time for the user to hear something.
                pipeline.AddTimeout(retry.TotalTimeout);
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = retry.MaxRetryAttempts,
                    Delay = retry.BaseDelay,
                    MaxDelay = retry.MaxDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldRetryAfterHeader = true,
                    ShouldHandle = args => ValueTask.FromResult(
                        // An attempt cut off by the timeout below surfaces as Polly's TimeoutRejectedException.
                        args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                        || (args.Outcome.Result is { } r && Transient.Contains(r.StatusCode))),
                });
                pipeline.AddTimeout(retry.AttemptTimeout);
            });
        services.AddOptions<ConnectorRetryOptions>().Bind(configuration.GetSection("Connector:Retry"));
        return services;
    }

    public static void LogAuthenticationMode(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<BotOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SupportBot.Authentication");
        if (options.IsAnonymous)
        {
            logger.LogWarning(
                "ANONYMOUS DEVELOPMENT MODE: MicrosoftAppId is not set, so /api/messages accepts unauthenticated requests " +
                "and replies are sent without a token. Never expose this instance beyond this machine.");
            return;
        }
        var endpoints = options.Endpoints;
        if (options.ResolvedAppType != AppType.UserAssignedMsi && string.IsNullOrEmpty(options.MicrosoftAppPassword)
            && string.IsNullOrEmpty(options.MicrosoftAppCertificatePath) && string.IsNullOrEmpty(options.MicrosoftAppCertificateThumbprint))
            logger.LogError("MicrosoftAppId is set but no MicrosoftAppPassword or certificate: the bot can check requests but cannot reply.");
        logger.LogInformation(
            "AUTHENTICATED MODE: app {AppId} ({AppType}); inbound tokens from {Issuer} via {Metadata}; outbound tokens from {Login}",
            options.MicrosoftAppId, options.ResolvedAppType, endpoints.TokenIssuer, endpoints.OpenIdMetadataUrl, endpoints.LoginUrl);
    }
}

public sealed class ConnectorRetryOptions
{
    public int MaxRetryAttempts { get; set; } = 3;
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);
    // Caps a long Retry-After too: waiting minutes inside a conversation helps no one.
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(8);
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(25);
}
