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

    readonly Lazy<Func<CancellationToken, Task<string>>>? acquire;

    // Built on first use: a credential problem then fails that send (reported as a Connector error) instead of
    // every request, including those that should be refused as unauthenticated.
    public MsalConnectorTokenProvider(IOptions<BotOptions> options, IHttpClientFactory httpClients)
    {
        if (!options.Value.IsAnonymous)
            acquire = new(() => Build(options.Value, new MsalHttpClients(httpClients)));
    }

    public async Task<string?> GetTokenAsync(CancellationToken ct)
    {
        if (acquire is null)
            return null;
        try
        {
            return await acquire.Value(ct);
        }
        catch (Exception ex) when (ex is InvalidOperationException or MsalException or System.Security.Cryptography.CryptographicException)
        {
            throw new ConnectorException(System.Net.HttpStatusCode.Unauthorized, "NoConnectorToken", $"Could not get a token for the Connector: {ex.Message}");
        }
    }

    static Func<CancellationToken, Task<string>> Build(BotOptions o, IMsalHttpClientFactory msalHttp)
    {
        var endpoints = o.Endpoints;
        string[] scopes = [endpoints.OAuthScope.TrimEnd('/') + "/.default"];

        if (o.ResolvedAppType == AppType.UserAssignedMsi)
        {
            var msi = ManagedIdentityApplicationBuilder
                .Create(ManagedIdentityId.WithUserAssignedClientId(o.MicrosoftAppId!))
                .WithHttpClientFactory(msalHttp)
                .Build();
            return async ct => (await msi.AcquireTokenForManagedIdentity(endpoints.OAuthScope).ExecuteAsync(ct)).AccessToken;
        }

        var builder = ConfidentialClientApplicationBuilder.Create(o.MicrosoftAppId)
            .WithAuthority(AuthorityFor(o, endpoints), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(msalHttp);
        builder = LoadCertificate(o) is { } certificate
            ? builder.WithCertificate(certificate, sendX5C: true)
            : builder.WithClientSecret(string.IsNullOrEmpty(o.MicrosoftAppPassword)
                ? throw new InvalidOperationException("MicrosoftAppPassword or a certificate is required when MicrosoftAppId is set.")
                : o.MicrosoftAppPassword);
        var app = builder.Build();
        return async ct => (await app.AcquireTokenForClient(scopes).ExecuteAsync(ct)).AccessToken;
    }

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
