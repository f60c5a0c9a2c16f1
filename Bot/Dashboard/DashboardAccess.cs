using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using SupportBot.Protocol;
using SupportBot.Technicians;

namespace SupportBot.Dashboard;

public enum Access { Allowed, SignInNeeded, NotATechnician, NotLocal }

// Who may see the dashboard. Development: anyone on this machine, nobody else (a request that came through a proxy or
// tunnel is not "this machine" even though it arrives over loopback). Anywhere else: an Entra user of the tenant, by a
// bearer token (the Teams tab's SSO token) or the dashboard's sign-in cookie, whom TechnicianDirectory calls a technician.
public sealed class DashboardAccess(IHostEnvironment environment, IOptions<DashboardOptions> options, DashboardTokens tokens, TechnicianDirectory technicians)
{
    public const string CookieScheme = "Dashboard";
    public const string SignInScheme = "DashboardSignIn";

    public bool IsLocalMode => environment.IsDevelopment();
    public bool BrowserSignIn => !IsLocalMode && options.Value.SignInConfigured;

    public async Task<Access> CheckAsync(HttpContext http)
    {
        if (IsLocalMode)
            return IsLocal(http) ? Access.Allowed : Access.NotLocal;
        var user = await UserAsync(http);
        if (user is null) return Access.SignInNeeded;
        return await IsTechnicianAsync(user, http.RequestAborted) ? Access.Allowed : Access.NotATechnician;
    }

    public async Task<bool> IsTechnicianAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var oid = user.GetObjectId();
        return oid is not null && await technicians.IsTechnicianAsync(new ChannelAccount { Id = oid, AadObjectId = oid }, null, ct);
    }

    // A bearer token, when one is sent, decides alone (a bad one is not rescued by a cookie).
    async Task<ClaimsPrincipal?> UserAsync(HttpContext http)
    {
        if (Bearer(http) is { } token)
            return await tokens.ValidateAsync(token, http.RequestAborted) is { } identity ? new ClaimsPrincipal(identity) : null;
        var cookie = await http.AuthenticateAsync(CookieScheme);
        return cookie.Succeeded && string.Equals(cookie.Principal.GetTenantId(), options.Value.TenantId, StringComparison.OrdinalIgnoreCase) ? cookie.Principal : null;
    }

    public static string? Bearer(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    static bool IsLocal(HttpContext http) =>
        http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
        && !http.Request.Headers.ContainsKey("X-Forwarded-For") && !http.Request.Headers.ContainsKey("Forwarded");
}
