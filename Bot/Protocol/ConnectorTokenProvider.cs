using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace SupportBot.Protocol;

public interface IConnectorTokenProvider
{
    // null when the bot runs anonymously (local development): no Authorization header is sent.
    Task<string?> GetTokenAsync(CancellationToken ct);
}

// Client-credentials tokens for the Connector from MSAL, which caches them until shortly before expiry.
public sealed class MsalConnectorTokenProvider : IConnectorTokenProvider
{
    public const string HttpClientName = "msal";

    readonly Func<CancellationToken, Task<string>>? acquire;

    public MsalConnectorTokenProvider(IOptions<BotOptions> options, IHttpClientFactory httpClients)
    {
        var o = options.Value;
        if (o.IsAnonymous)
            return;

        var endpoints = o.Endpoints;
        string[] scopes = [endpoints.OAuthScope.TrimEnd('/') + "/.default"];
        var msalHttp = new MsalHttpClients(httpClients);

        if (o.ResolvedAppType == AppType.UserAssignedMsi)
        {
            var msi = ManagedIdentityApplicationBuilder
                .Create(ManagedIdentityId.WithUserAssignedClientId(o.MicrosoftAppId!))
                .WithHttpClientFactory(msalHttp)
                .Build();
            acquire = async ct => (await msi.AcquireTokenForManagedIdentity(endpoints.OAuthScope).ExecuteAsync(ct)).AccessToken;
            return;
        }

        var builder = ConfidentialClientApplicationBuilder.Create(o.MicrosoftAppId)
            .WithAuthority(AuthorityFor(o, endpoints), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(msalHttp);
        builder = LoadCertificate(o) is { } certificate
            ? builder.WithCertificate(certificate, sendX5C: true)
            : builder.WithClientSecret(o.MicrosoftAppPassword
                ?? throw new InvalidOperationException("MicrosoftAppPassword or a certificate is required when MicrosoftAppId is set."));
        var app = builder.Build();
        acquire = async ct => (await app.AcquireTokenForClient(scopes).ExecuteAsync(ct)).AccessToken;
    }

    public async Task<string?> GetTokenAsync(CancellationToken ct) => acquire is null ? null : await acquire(ct);

    static string AuthorityFor(BotOptions o, CloudEndpoints endpoints)
    {
        if (o.ResolvedAppType != AppType.SingleTenant)
            return endpoints.LoginUrl;
        if (string.IsNullOrWhiteSpace(o.MicrosoftAppTenantId))
            throw new InvalidOperationException("MicrosoftAppTenantId is required for a SingleTenant bot.");
        var login = new Uri(endpoints.LoginUrl);
        return $"{login.GetLeftPart(UriPartial.Authority)}/{o.MicrosoftAppTenantId}";
    }

    static X509Certificate2? LoadCertificate(BotOptions o)
    {
        if (!string.IsNullOrWhiteSpace(o.MicrosoftAppCertificatePath))
            return X509CertificateLoader.LoadPkcs12FromFile(o.MicrosoftAppCertificatePath, o.MicrosoftAppCertificatePassword);
        if (string.IsNullOrWhiteSpace(o.MicrosoftAppCertificateThumbprint))
            return null;
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadOnly);
        return store.Certificates.Find(X509FindType.FindByThumbprint, o.MicrosoftAppCertificateThumbprint, validOnly: false)
            .FirstOrDefault()
            ?? throw new InvalidOperationException("No certificate with the configured MicrosoftAppCertificateThumbprint in CurrentUser/My.");
    }

    sealed class MsalHttpClients(IHttpClientFactory factory) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient() => factory.CreateClient(HttpClientName);
    }
}
