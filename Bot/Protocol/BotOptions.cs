namespace SupportBot.Protocol;

// Bound from the configuration root so the Bot Framework SDK's own setting names work unchanged
// (App Service settings, appsettings.json, environment variables).
public sealed class BotOptions
{
    public string? MicrosoftAppId { get; set; }
    public string? MicrosoftAppPassword { get; set; }
    public string? MicrosoftAppTenantId { get; set; }
    // MultiTenant | SingleTenant | UserAssignedMSI
    public string? MicrosoftAppType { get; set; }
    public string? MicrosoftAppCertificatePath { get; set; }
    public string? MicrosoftAppCertificatePassword { get; set; }
    public string? MicrosoftAppCertificateThumbprint { get; set; }

    // Empty for the public cloud; "https://botframework.azure.us" selects the US Government presets.
    public string? ChannelService { get; set; }
    public string? ToBotFromChannelOpenIdMetadataUrl { get; set; }
    public string? ToBotFromChannelTokenIssuer { get; set; }
    public string? ToChannelFromBotLoginUrl { get; set; }
    public string? ToChannelFromBotOAuthScope { get; set; }

    public bool IsAnonymous => string.IsNullOrWhiteSpace(MicrosoftAppId);

    public AppType ResolvedAppType => MicrosoftAppType?.Trim().ToLowerInvariant() switch
    {
        null or "" or "multitenant" => AppType.MultiTenant,
        "singletenant" => AppType.SingleTenant,
        "userassignedmsi" => AppType.UserAssignedMsi,
        _ => throw new InvalidOperationException(
            $"MicrosoftAppType '{MicrosoftAppType}' is not one of MultiTenant, SingleTenant, UserAssignedMSI."),
    };

    public CloudEndpoints Endpoints => CloudEndpoints.For(this);
}

public enum AppType { MultiTenant, SingleTenant, UserAssignedMsi }

public sealed record CloudEndpoints(
    string OpenIdMetadataUrl,
    string TokenIssuer,
    string LoginUrl,
    string OAuthScope)
{
    public const string GovernmentChannelService = "https://botframework.azure.us";

    static readonly CloudEndpoints Public = new(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        "https://api.botframework.com",
        "https://login.microsoftonline.com/botframework.com",
        "https://api.botframework.com");

    static readonly CloudEndpoints Government = new(
        "https://login.botframework.azure.us/v1/.well-known/openidconfiguration",
        "https://api.botframework.us",
        "https://login.microsoftonline.us/MicrosoftServices.onmicrosoft.com",
        "https://api.botframework.us");

    public static CloudEndpoints For(BotOptions o)
    {
        var preset = string.Equals(o.ChannelService?.TrimEnd('/'), GovernmentChannelService, StringComparison.OrdinalIgnoreCase)
            ? Government
            : Public;
        return new(
            Pick(o.ToBotFromChannelOpenIdMetadataUrl, preset.OpenIdMetadataUrl),
            Pick(o.ToBotFromChannelTokenIssuer, preset.TokenIssuer),
            Pick(o.ToChannelFromBotLoginUrl, preset.LoginUrl),
            Pick(o.ToChannelFromBotOAuthScope, preset.OAuthScope));
    }

    static string Pick(string? configured, string fallback) =>
        string.IsNullOrWhiteSpace(configured) ? fallback : configured.Trim();
}

public sealed class MessagingOptions
{
    public int MaxActivityBytes { get; set; } = 256 * 1024;
    // Teams shows an error after 15 s; the turn is cancelled before that so the response still gets out.
    public TimeSpan TurnDeadline { get; set; } = TimeSpan.FromSeconds(10);
}
