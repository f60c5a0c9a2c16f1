using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using SupportBot.Knowledge;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Cards;

// Every card the bot can send is checked by the official adaptivecards library and rendered in headless Chromium.
public sealed class CardValidationTests(ITestOutputHelper output)
{
    static readonly IReadOnlyList<(string Name, string Json)> Cards =
        CardCatalog.All().Select(c => (c.Name, c.Card.ToJson())).ToList();

    [Fact]
    public void Every_card_stays_well_under_the_Teams_message_limit()
    {
        var sizes = Cards.Select(c => (c.Name, Bytes: Encoding.UTF8.GetByteCount(c.Json))).OrderByDescending(c => c.Bytes).ToList();
        output.WriteLine($"largest: {sizes[0].Name} {sizes[0].Bytes} bytes");
        Assert.All(sizes, s => Assert.True(s.Bytes < KnowledgeCards.MaxCardBytes, $"{s.Name} is {s.Bytes} bytes"));
    }

    [Fact]
    public async Task The_adaptivecards_library_finds_no_problem_in_any_card()
    {
        var dir = Directory.CreateTempSubdirectory("cards-");
        try
        {
            foreach (var (name, json) in Cards)
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, name + ".json"), json);

            var report = JsonDocument.Parse(await RunNodeAsync("tools/check-cards.cjs", dir.FullName)).RootElement;

            Assert.Equal(Cards.Count, report.EnumerateObject().Count());
            var problems = report.EnumerateObject().Where(p => p.Value.GetArrayLength() > 0)
                .Select(p => $"{p.Name}: {string.Join("; ", p.Value.EnumerateArray())}").ToList();
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task The_checker_does_flag_a_broken_card()
    {
        var dir = Directory.CreateTempSubdirectory("cards-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "broken.json"),
                """{"type":"AdaptiveCard","version":"1.5","body":[{"type":"TextBlok","text":"x"}]}""");
            var report = JsonDocument.Parse(await RunNodeAsync("tools/check-cards.cjs", dir.FullName)).RootElement;
            Assert.NotEqual(0, report.GetProperty("broken.json").GetArrayLength());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Every_card_renders_in_headless_Chromium()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Browser.Options);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 480, Height = 800 } });
        await page.SetContentAsync("<html><body style='font-family:sans-serif;background:#f5f5f5'><div id='cards'></div></body></html>");
        await page.AddScriptTagAsync(new() { Path = Path.Combine(TestPaths.RepoRoot, "node_modules", "adaptivecards", "dist", "adaptivecards.min.js") });

        var heights = new Dictionary<string, double>();
        foreach (var (name, json) in Cards)
        {
            heights[name] = await page.EvaluateAsync<double>("""
                ([name, json]) => {
                  const card = new AdaptiveCards.AdaptiveCard();
                  card.parse(JSON.parse(json));
                  const el = card.render();
                  const holder = document.createElement('div');
                  holder.id = name;
                  holder.style.width = '440px'; holder.style.margin = '8px'; holder.style.background = 'white';
                  holder.appendChild(el);
                  document.getElementById('cards').appendChild(holder);
                  return el.getBoundingClientRect().height;
                }
                """, new[] { name, json });
        }

        Assert.All(heights, h => Assert.True(h.Value > 20, $"{h.Key} rendered {h.Value}px high"));
        Assert.Equal(Cards.Count, await page.Locator(".ac-adaptiveCard").CountAsync());
        foreach (var name in new[] { "welcome", "help", "urgency-question", "not-saved-yet", "ticket-New", "ticket-Resolved", "ticket-emergency-where-are-you", "ticket-security-do-now", "ticket-extreme", "my-tickets", "tech-emergency", "tech-emergency-shared", "tech-normal", "tech-queue", "welcome-technicians", "kb-suggest-largest-three", "file-as-ticket-dialog", "tech-filed-from-message", "sla-alert-emergency-unassigned", "incident-open", "incident-open-shared", "incident-resolved", "ticket-linked-to-incident",
            "kb-suggest-projector-no-signal", "kb-while-you-wait", "kb-fixed-while-waiting", "kb-walk-step", "kb-walk-last-projector-no-signal", "kb-walk-extreme", "ticket-walkthrough-tried", "tech-walkthrough-tried",
            "poll-ask", "poll-thanks", "poll-not-fixed", "tech-low-rating", "stats", "stats-extreme" })
            await page.Locator($"[id='{name}']").ScreenshotAsync(new() { Path = Path.Combine(TestPaths.OutputDirectory("screenshots"), $"card-{name}.png") });
    }

    static async Task<string> RunNodeAsync(string script, params string[] args)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        start.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, script));
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }
}
