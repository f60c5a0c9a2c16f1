using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SupportBot.Outcomes;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Dashboard;

// The dashboard as a technician sees it, in headless Chromium, over the seeded help desk in Azurite (DashboardSeed), in
// Development (open on 127.0.0.1). One Azurite, one bot and one browser for the class (DashboardFixture).
public sealed class DashboardFixture : IAsyncLifetime
{
    readonly Azurite azurite = new();
    public BotServer Bot { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    IPlaywright playwright = null!;

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // xUnit does not dispose a fixture that failed to start: Azurite would outlive the run
            throw;
        }
    }

    async Task StartAsync()
    {
        await azurite.InitializeAsync();
        await new DashboardSeed(new TableServiceClient(azurite.ConnectionString)).SeedAsync();
        Bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
            ["Dashboard:StatsCacheFor"] = "00:00:00",
        });
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(Infrastructure.Browser.Options);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (Bot is not null) await Bot.DisposeAsync();
        await azurite.DisposeAsync();
    }
}

public sealed class DashboardBrowserTests(DashboardFixture fixture, ITestOutputHelper output) : IClassFixture<DashboardFixture>, IDisposable
{
    readonly HttpClient http = new();
    BotServer bot => fixture.Bot;
    IBrowser browser => fixture.Browser;

    public void Dispose() => http.Dispose();

    string Url(string path) => new Uri(bot.BaseAddress, path).ToString();

    async Task<IPage> OpenAsync(string path, int width = 1280, ColorScheme scheme = ColorScheme.Light, bool injectScripts = false)
    {
        // injectScripts: the page's Content-Security-Policy allows its own scripts only, so axe is let in by the browser.
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = width, Height = 900 }, ColorScheme = scheme, BypassCSP = injectScripts });
        var response = await page.GotoAsync(Url(path));
        Assert.Equal(200, response!.Status);
        return page;
    }

    // A chart's table equivalent: its rows as cell texts.
    static async Task<List<string[]>> TableAsync(IPage page, string chartId) =>
        [.. (await page.EvaluateAsync<string[][]>($"() => [...document.querySelectorAll('#{chartId} tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()))"))];

    static async Task<string> TextAsync(IPage page, string selector) => (await page.Locator(selector).TextContentAsync())!.Trim();

    [Fact]
    public async Task The_page_shows_the_queue_in_order_and_every_chart_with_the_seeded_figures()
    {
        var page = await OpenAsync("/dashboard?days=7");

        var rows = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('#queue tbody tr')].map(r => +r.dataset.ticket)");
        Assert.Equal(DashboardSeed.QueueOrder, rows);
        var overdue = page.Locator("#queue tr[data-ticket='1004']");
        Assert.Equal(1, await overdue.Locator(".badge.sla-breached").CountAsync());
        Assert.Contains("Breached", await overdue.TextContentAsync());
        Assert.Contains("Unassigned", await overdue.TextContentAsync());
        Assert.Contains("Taylor Tech", await page.Locator("#queue tr[data-ticket='1002']").TextContentAsync());
        Assert.Contains("On track", await page.Locator("#queue tr[data-ticket='1001']").TextContentAsync());
        Assert.Equal(Url("/dashboard/tickets/1004"), await page.Locator("#queue tr[data-ticket='1004'] a").EvaluateAsync<string>("a => a.href"));

        foreach (var chart in new[] { "chart-volume", "chart-first-response", "chart-satisfaction", "chart-quality", "chart-deflections", "chart-categories" })
            Assert.Equal(1, await page.Locator($"#{chart} svg.chart[role=img][aria-label]").CountAsync());

        var volume = await TableAsync(page, "chart-volume");
        Assert.Equal(7, volume.Count);                                               // one row per day
        Assert.Equal(2, volume.Sum(r => int.Parse(r[1])));                           // emergencies
        Assert.Equal(7, volume.Sum(r => int.Parse(r[3])));                           // opened in 7 days
        Assert.Equal("2", volume[^1][1]);                                            // both emergencies today

        Assert.Contains("40% of first replies within target", await TextAsync(page, "#chart-first-response .summary")); // 2 of 5 decided
        var firstResponse = await TableAsync(page, "chart-first-response");
        Assert.Equal("0%", firstResponse[^1][2]);                                  // today: #1004 overdue, #1001 and #1002 not due yet
        Assert.Contains(firstResponse, r => r[2] == "–");                          // a day with nothing decided: no data, not 0%
        Assert.StartsWith("50% satisfied", await TextAsync(page, "#chart-satisfaction .summary"));
        var satisfaction = await TableAsync(page, "chart-satisfaction");
        Assert.Equal(["0%", "100%"], satisfaction.Where(r => r[1] == "1").Select(r => r[3]).Order());   // rated 2 four days ago, 5 two days ago
        Assert.All(satisfaction.Where(r => r[1] == "0"), r => Assert.Equal("–", r[3]));

        var quality = await TableAsync(page, "chart-quality");
        Assert.Equal(["First-time fix", "50%", "2 answers"], quality[0]);
        Assert.Equal(["Reopened", "33%", "1 of 3 resolved"], quality[1]);

        var deflections = await TableAsync(page, "chart-deflections");
        Assert.Equal("2", deflections[^1][1]);
        Assert.Contains("2 requests fixed by an article", await TextAsync(page, "#chart-deflections .summary"));
        Assert.Contains("22% of requests", await TextAsync(page, "#chart-deflections .summary")); // 2 / (2 + 7)

        var categories = await TableAsync(page, "chart-categories");
        Assert.Equal(["vpn", "3", "0", "3"], categories[0]);
        Assert.Equal(["files", "0", "2", "0"], categories[1]);

        var gaps = await page.EvaluateAsync<string[][]>("() => [...document.querySelectorAll('#gaps tbody tr')].map(r => [...r.cells].map(c => c.textContent.trim()))");
        Assert.Contains(gaps, g => g[1] == "3" && new[] { "#1005", "#1006", "#1007" }.Contains(g[2]));
    }

    [Fact]
    public async Task The_window_switch_changes_the_figures_and_marks_the_window()
    {
        var page = await OpenAsync("/dashboard?days=7");
        Assert.Equal("7 days", await TextAsync(page, ".windows a[aria-current=page]"));

        await page.Locator(".windows a", new() { HasText = "30 days" }).ClickAsync();
        await page.WaitForFunctionAsync("() => location.search.includes('days=30') && document.readyState === 'complete'");

        Assert.Equal("30 days", await TextAsync(page, ".windows a[aria-current=page]"));
        Assert.Equal("The last 30 days", await TextAsync(page, "#outcomes-heading"));
        var volume = await TableAsync(page, "chart-volume");
        Assert.Equal(30, volume.Count);
        Assert.Equal(8, volume.Sum(r => int.Parse(r[3])));                           // the 20-day-old ticket is in
        Assert.Contains(await TableAsync(page, "chart-categories"), r => r[0] == "devices");
    }

    [Fact]
    public async Task A_ticket_opens_from_the_queue_by_keyboard_with_its_history_and_notes()
    {
        var page = await OpenAsync("/dashboard?days=7");
        for (var i = 0; i < 10 && await page.EvaluateAsync<string>("() => document.activeElement?.textContent ?? ''") != "#1004"; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal("#1004", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => location.pathname === '/dashboard/tickets/1004' && document.readyState === 'complete'");
        Assert.Contains("Wifi down in the whole building", await TextAsync(page, "h1"));

        var printer = await OpenAsync("/dashboard/tickets/1003");
        Assert.Contains("Toner ordered, arriving Tuesday", await TextAsync(printer, ".notes"));
        Assert.Contains("Internal note", await TextAsync(printer, ".notes"));
        Assert.Contains("Breached", await TextAsync(printer, ".facts"));
        var reopened = await OpenAsync("/dashboard/tickets/1006");
        var history = await reopened.EvaluateAsync<string[]>("() => [...document.querySelectorAll('.history tbody tr td:last-child')].map(c => c.textContent.trim())");
        Assert.Equal(2, history.Count(h => h.StartsWith("Resolved")));
        Assert.Equal(1, history.Count(h => h.StartsWith("Reopened")));
        Assert.True(Array.FindIndex(history, h => h.StartsWith("Reopened")) > Array.FindIndex(history, h => h.StartsWith("Resolved")));
    }

    [Fact]
    public async Task Screenshots_at_1280_and_390_in_light_and_dark_and_nothing_wider_than_a_phone()
    {
        var folder = TestPaths.OutputDirectory("screenshots");
        foreach (var width in new[] { 1280, 390 })
            foreach (var theme in new[] { "light", "dark" })
            {
                var page = await OpenAsync($"/dashboard?days=7&theme={theme}", width);
                Assert.Equal(theme, await page.EvaluateAsync<string>("() => document.documentElement.dataset.theme"));
                var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
                Assert.Equal(theme == "dark" ? "rgb(31, 31, 31)" : "rgb(255, 255, 255)", background);
                Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"horizontal scroll at {width} px");
                await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"dashboard-{width}-{theme}.png"), FullPage = true });
                await page.CloseAsync();
            }
        var detail = await OpenAsync("/dashboard/tickets/1006?theme=dark", 390);
        await detail.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-ticket-390-dark.png"), FullPage = true });
        Assert.True(File.Exists(Path.Combine(folder, "dashboard-390-dark.png")));
    }

    [Theory]
    [InlineData("/dashboard?days=7&theme=light")]
    [InlineData("/dashboard?days=7&theme=dark")]
    [InlineData("/dashboard/tickets/1003?theme=light")]
    [InlineData("/dashboard/tickets/1006?theme=dark")]
    public async Task Axe_finds_no_serious_or_critical_violations(string path)
    {
        var page = await OpenAsync(path, injectScripts: true);
        await page.EvaluateAsync("() => document.querySelectorAll('details').forEach(d => d.open = true)"); // the tables too
        await page.AddScriptTagAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "node_modules", "axe-core", "axe.min.js") });
        var violations = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, target: String(v.nodes[0]?.target) }))");
        var rules = await page.EvaluateAsync<int>("() => axe.getRules().length");
        Assert.True(rules > 50, "axe did not load its rules");
        output.WriteLine($"{path}: {rules} axe rules, violations by impact: {string.Join(", ", violations.EnumerateArray().GroupBy(v => v.GetProperty("impact").GetString()).Select(g => $"{g.Key} {g.Count()} ({string.Join(" ", g.Select(v => v.GetProperty("id").GetString() + ":" + v.GetProperty("target").GetString()))})").DefaultIfEmpty("none"))}");
        var serious = violations.EnumerateArray().Where(v => v.GetProperty("impact").GetString() is "serious" or "critical").Select(v => v.ToString()).ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));
    }

    [Fact]
    public async Task The_api_gives_the_queue_the_stats_commands_figures_and_a_ticket()
    {
        var queue = JsonNode.Parse(await http.GetStringAsync(Url("/api/queue")))!;
        Assert.Equal(DashboardSeed.QueueOrder, queue["tickets"]!.AsArray().Select(t => t!["number"]!.GetValue<int>()));
        Assert.Equal("Breached", queue["tickets"]![0]!["slaState"]!.GetValue<string>());

        var api = JsonNode.Parse(await http.GetStringAsync(Url("/api/stats?days=7")))!;
        var direct = JsonNode.Parse(JsonSerializer.Serialize(await bot.Services.GetRequiredService<OutcomeSource>().ComputeAsync(7, CancellationToken.None), StatsCommand.Json))!;
        foreach (var part in new[] { "overall", "byCategory", "byTechnician", "knowledgeGaps" })
            Assert.Equal(direct[part]!.ToJsonString(), api[part]!.ToJsonString());
        Assert.Equal(7, api["daily"]!.AsArray().Count);
        Assert.Equal(7, api["overall"]!["opened"]!.GetValue<int>());

        var ticket = JsonNode.Parse(await http.GetStringAsync(Url("/api/tickets/1003")))!;
        Assert.Equal("Printer offline in the library", ticket["ticket"]!["title"]!.GetValue<string>());
        Assert.Contains(ticket["ticket"]!["history"]!.AsArray(), e => e!["text"]?.GetValue<string>() == "Toner ordered, arriving Tuesday");

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Url("/api/tickets/9999"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Url("/api/stats?days=0"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Url("/dashboard?days=400"))).StatusCode);
    }

    [Fact]
    public async Task In_development_a_request_that_came_through_a_proxy_is_refused_with_no_data()
    {
        foreach (var path in new[] { "/dashboard", "/dashboard/tickets/1003", "/api/queue", "/api/stats?days=30", "/api/tickets/1003" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Url(path));
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("Printer offline", body);
            Assert.DoesNotContain("1003", body);
        }
    }
}
