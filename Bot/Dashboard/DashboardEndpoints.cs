using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SupportBot.Outcomes;
using SupportBot.Tickets;

namespace SupportBot.Dashboard;

// /dashboard (the page and a ticket's detail, HTML) and /api (the same data as JSON), every route behind DashboardAccess;
// /dashboard/assets (stylesheet and scripts, no data) and the sign-in routes are open.
public static class DashboardEndpoints
{
    // Teams shows a tab in a frame: its hosts, and no one else, may frame the page.
    const string FrameAncestors = "frame-ancestors 'self' teams.microsoft.com *.teams.microsoft.com *.office.com *.cloud.microsoft";
    const string PagePolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; " + FrameAncestors;

    public static void MapDashboard(this WebApplication app)
    {
        // Only the dashboard's own paths meet the sign-in handlers (the OpenID Connect callback is /dashboard/signin-oidc).
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/dashboard"), dashboard => dashboard.UseAuthentication());

        var pages = app.MapGroup("/dashboard").AddEndpointFilter(RequireAccess(html: true));
        pages.MapGet("", PageAsync);
        pages.MapGet("/tickets/{number:int}", TicketPageAsync);

        var api = app.MapGroup("/api").AddEndpointFilter(RequireAccess(html: false));
        api.MapGet("/queue", async (DashboardQueries queries, CancellationToken ct) => TypedResults.Json(await queries.QueueAsync(ct), StatsCommand.Json));
        api.MapGet("/stats", StatsAsync);
        api.MapGet("/tickets/{number:int}", TicketAsync);

        app.MapGet("/dashboard/assets/{name}", DashboardAssets.Serve);
        app.MapPost("/dashboard/session", SessionAsync);
        app.MapGet("/dashboard/sign-in", (DashboardAccess access) => access.BrowserSignIn
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = "/dashboard" }, [DashboardAccess.SignInScheme])
            : Results.NotFound());
        app.MapGet("/dashboard/sign-out", async (HttpContext http) =>
        {
            await http.SignOutAsync(DashboardAccess.CookieScheme);
            return Results.Redirect("/dashboard");
        });
    }

    static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> RequireAccess(bool html) => async (context, next) =>
    {
        var http = context.HttpContext;
        http.Response.Headers.CacheControl = "no-store";
        var access = await http.RequestServices.GetRequiredService<DashboardAccess>().CheckAsync(http);
        if (access == Access.Allowed) return await next(context);
        if (access == Access.SignInNeeded) http.Response.Headers.WWWAuthenticate = "Bearer";
        var status = access == Access.SignInNeeded ? StatusCodes.Status401Unauthorized : StatusCodes.Status403Forbidden;
        if (!html) return TypedResults.Problem(statusCode: status, title: Refusal(access));
        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        var signIn = http.RequestServices.GetRequiredService<DashboardAccess>().BrowserSignIn;
        return Results.Content(DashboardPages.Refused(PageContext.From(http.Request, TimeZoneInfo.Utc), access, Refusal(access), signIn), "text/html; charset=utf-8", statusCode: status);
    };

    static string Refusal(Access access) => access switch
    {
        Access.SignInNeeded => "Sign in to see the dashboard",
        Access.NotATechnician => "The dashboard is for technicians",
        _ => "The dashboard is open to this machine only in development",
    };

    static async Task PageAsync(HttpContext http, DashboardQueries queries, IOptions<SupportOptions> support, int? days, CancellationToken ct)
    {
        var window = days ?? OutcomeSource.DefaultDays;
        if (window is < 1 or > OutcomeSource.MaxDays)
        {
            await TypedResults.Problem(statusCode: 400, title: $"days must be from 1 to {OutcomeSource.MaxDays}").ExecuteAsync(http);
            return;
        }
        var page = PageContext.From(http.Request, Zone(support.Value), window);
        // The queue first, alone: the figures read every ticket, and storage busy with that scan would hold up the first paint.
        var queue = await queries.QueueAsync(ct);

        http.Response.ContentType = "text/html; charset=utf-8";
        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        await http.Response.WriteAsync(DashboardPages.Head(page, DashboardPages.Title) + DashboardPages.Header(page, queue) + DashboardPages.Queue(page, queue), ct);
        await http.Response.Body.FlushAsync(ct);
        var stats = await queries.StatsAsync(window, ct);
        await http.Response.WriteAsync(DashboardPages.Outcomes(page, stats, support.Value) + DashboardPages.End, ct);
    }

    static async Task<IResult> TicketPageAsync(HttpContext http, DashboardQueries queries, IOptions<SupportOptions> support, int number, int? days, CancellationToken ct)
    {
        var page = PageContext.From(http.Request, Zone(support.Value), days ?? OutcomeSource.DefaultDays);
        http.Response.Headers.ContentSecurityPolicy = PagePolicy;
        var view = await queries.TicketAsync(number, ct);
        var body = view is null ? DashboardPages.NotFound(page, number) : DashboardPages.Ticket(page, view);
        var title = view is null ? "No such ticket" : $"#{number} {view.Ticket.Title}";
        return Results.Content(DashboardPages.Head(page, $"{title} - SupportBot") + body + DashboardPages.End, "text/html; charset=utf-8",
            statusCode: view is null ? 404 : 200);
    }

    static async Task<Results<JsonHttpResult<OutcomeReport>, ProblemHttpResult>> StatsAsync(DashboardQueries queries, int? days, CancellationToken ct)
    {
        var window = days ?? OutcomeSource.DefaultDays;
        if (window is < 1 or > OutcomeSource.MaxDays)
            return TypedResults.Problem(statusCode: 400, title: $"days must be from 1 to {OutcomeSource.MaxDays}");
        return TypedResults.Json(await queries.StatsAsync(window, ct), StatsCommand.Json);
    }

    static async Task<Results<JsonHttpResult<TicketView>, ProblemHttpResult>> TicketAsync(DashboardQueries queries, int number, CancellationToken ct) =>
        await queries.TicketAsync(number, ct) is { } view
            ? TypedResults.Json(view, StatsCommand.Json)
            : TypedResults.Problem(statusCode: 404, title: $"No ticket #{number}");

    // The Teams tab trades its SSO token for the dashboard's cookie, so the tab's own links and reloads are signed in.
    static async Task<IResult> SessionAsync(HttpContext http, DashboardAccess access, DashboardTokens tokens, CancellationToken ct)
    {
        if (access.IsLocalMode) return Results.NoContent();
        if (DashboardAccess.Bearer(http) is not { } token || await tokens.ValidateAsync(token, ct) is not { } identity)
            return TypedResults.Problem(statusCode: 401, title: "Sign in to see the dashboard");
        var user = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity(
            identity.Claims.Where(c => c.Type is "oid" or "tid" or "name" or "preferred_username"), DashboardAccess.CookieScheme, "name", "roles"));
        if (!await access.IsTechnicianAsync(user, ct))
            return TypedResults.Problem(statusCode: 403, title: "The dashboard is for technicians");
        await http.SignInAsync(DashboardAccess.CookieScheme, user);
        return Results.NoContent();
    }

    static TimeZoneInfo Zone(SupportOptions support) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(support.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    internal static void ConfigureCookie(CookieAuthenticationOptions cookie)
    {
        cookie.Cookie.Name = "SupportBot.Dashboard";
        cookie.Cookie.HttpOnly = true;
        // The Teams tab is a cross-site frame: the cookie must be sent there, so SameSite=None, which requires Secure.
        cookie.Cookie.SameSite = SameSiteMode.None;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        cookie.SlidingExpiration = true;
        cookie.Events.OnRedirectToLogin = c => { c.Response.StatusCode = 401; return Task.CompletedTask; };
        cookie.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = 403; return Task.CompletedTask; };
    }
}
