using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using Microsoft.IdentityModel.Protocols;
using SupportBot.Protocol;

namespace SupportBot.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<DashboardOptions>().Bind(configuration.GetSection("Dashboard")).PostConfigure<IOptions<BotOptions>>((o, bot) =>
        {
            if (string.IsNullOrWhiteSpace(o.TenantId)) o.TenantId = bot.Value.MicrosoftAppTenantId;
            if (string.IsNullOrWhiteSpace(o.ClientId)) o.ClientId = bot.Value.MicrosoftAppId;
        });
        services.AddKeyedSingleton(DashboardTokens.MetadataKey, (sp, _) =>
        {
            var url = sp.GetRequiredService<IOptions<DashboardOptions>>().Value.MetadataUrl;
            var retriever = new HttpDocumentRetriever(sp.GetRequiredService<IHttpClientFactory>().CreateClient(ProtocolServiceCollectionExtensions.MetadataHttpClientName))
            {
                RequireHttps = !new Uri(url).IsLoopback,
            };
            return new ChannelMetadata(url, retriever, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ChannelMetadata>>());
        });
        services.AddSingleton<DashboardTokens>();
        services.AddSingleton<DashboardAccess>();
        services.AddSingleton<DashboardQueries>();

        // Browser sign-in (outside Development, once the tenant and app are known): Entra ID through Microsoft.Identity.Web,
        // OpenID Connect with an ID token (no client secret: the bot may have none), into the dashboard's cookie.
        var authentication = services.AddAuthentication();
        var tenant = Setting(configuration, "Dashboard:TenantId", "MicrosoftAppTenantId");
        var client = Setting(configuration, "Dashboard:ClientId", "MicrosoftAppId");
        if (!environment.IsDevelopment() && tenant is not null && client is not null)
        {
            var instance = configuration["Dashboard:Instance"] ?? new DashboardOptions().Instance;
            authentication.AddMicrosoftIdentityWebApp(identity =>
            {
                identity.Instance = instance;
                identity.TenantId = tenant;
                identity.ClientId = client;
                identity.ResponseType = "id_token";
                identity.CallbackPath = "/dashboard/signin-oidc";
                identity.SignedOutCallbackPath = "/dashboard/signout-oidc";
                identity.RequireHttpsMetadata = !new Uri(instance).IsLoopback;
            }, DashboardEndpoints.ConfigureCookie, DashboardAccess.SignInScheme, DashboardAccess.CookieScheme);
            // Not carried over from MicrosoftIdentityOptions: plain HTTP metadata only from this machine (test doubles).
            services.Configure<OpenIdConnectOptions>(DashboardAccess.SignInScheme, oidc => oidc.RequireHttpsMetadata = !new Uri(instance).IsLoopback);
        }
        else
        {
            authentication.AddCookie(DashboardAccess.CookieScheme, DashboardEndpoints.ConfigureCookie);
        }
        return services;
    }

    static string? Setting(IConfiguration configuration, params string[] names) =>
        names.Select(n => configuration[n]).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
