namespace SupportBot.Hosting;

// The personal "Dashboard" tab of the Teams app points here. Until the dashboard exists it says so, and what to use meanwhile.
public static class DashboardPlaceholder
{
    const string Page = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>SupportBot dashboard</title>
        <style>body{font-family:"Segoe UI",system-ui,sans-serif;margin:2rem;color:#242424;max-width:40rem}h1{font-size:1.4rem}code{background:#f0f0f0;padding:0 .25rem}</style>
        </head>
        <body>
        <h1>The dashboard is not here yet</h1>
        <p>This tab will show your tickets and, for technicians, the queue and response times. Until then, ask the bot in chat:</p>
        <ul><li><code>my tickets</code> for your requests and their status</li><li><code>queue</code> and <code>mine</code> for technicians</li></ul>
        </body>
        </html>
        """;

    public static void MapDashboardPlaceholder(this WebApplication app) =>
        app.MapGet("/dashboard", (HttpContext http) =>
        {
            // Teams shows a tab in a frame: allow its hosts, and no one else, to frame the page.
            http.Response.Headers.ContentSecurityPolicy =
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors teams.microsoft.com *.teams.microsoft.com *.office.com *.cloud.microsoft";
            return Results.Content(Page, "text/html; charset=utf-8");
        });
}
