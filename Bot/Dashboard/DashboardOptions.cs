namespace SupportBot.Dashboard;

// Dashboard:* settings. Sign-in (outside Development) needs the tenant and the app the Teams tab's SSO names in
// webApplicationInfo; both default to the bot's own (MicrosoftAppTenantId, MicrosoftAppId).
public sealed class DashboardOptions
{
    public string Instance { get; set; } = "https://login.microsoftonline.com/";
    public string? TenantId { get; set; }
    public string? ClientId { get; set; }
    // The figures are computed from every ticket; a page view within this long of the last one for the same window
    // reuses them. 00:00:00 computes every time.
    public TimeSpan StatsCacheFor { get; set; } = TimeSpan.FromSeconds(30);

    public bool SignInConfigured => !string.IsNullOrWhiteSpace(TenantId) && !string.IsNullOrWhiteSpace(ClientId);

    public string Authority => $"{Instance.TrimEnd('/')}/{TenantId}/v2.0";
    public string MetadataUrl => $"{Authority}/.well-known/openid-configuration";
}
