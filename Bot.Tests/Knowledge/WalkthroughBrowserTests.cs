using Microsoft.Playwright;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Knowledge;

// The walkthrough as a person sees it in the Playground's web UI: the suggestion card turns into the steps in place.
public sealed class WalkthroughBrowserTests : IAsyncLifetime
{
    LocalStack stack = null!;

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: false);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task Walk_me_through_it_replaces_the_suggestion_card_with_one_step_at_a_time()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Browser.Options);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(stack.Playground.BaseAddress.ToString());

        var input = page.Locator("div[role=\"textbox\"][data-lexical-editor=\"true\"]");
        await input.ClickAsync(new() { Timeout = 30_000 });
        await input.PressSequentiallyAsync("the projector in room 6 says no signal, how do I fix it");
        await input.PressAsync("Enter");

        var cards = page.Locator(".ac-adaptiveCard");
        var suggestion = page.Locator(".ac-adaptiveCard", new() { HasText = "Walk me through it" }).Last;
        await suggestion.WaitForAsync(new() { Timeout = 15_000 });
        var before = await cards.CountAsync();

        await suggestion.Locator("button[aria-label=\"Walk me through it\"]").First.ClickAsync();
        await page.Locator(".ac-adaptiveCard", new() { HasText = "Step 1 of 7" }).WaitForAsync(new() { Timeout = 15_000 });
        await page.Locator(".ac-adaptiveCard button[aria-label=\"Done, next\"]").ClickAsync();
        var step2 = page.Locator(".ac-adaptiveCard", new() { HasText = "Step 2 of 7" });
        await step2.WaitForAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.OutputDirectory("screenshots"), "playground-walkthrough-step.png"), FullPage = true });

        Assert.Contains("Windows key + P", await step2.InnerTextAsync());
        Assert.Equal(before, await cards.CountAsync()); // the same card, updated in place: no new message
        Assert.Equal(0, await page.Locator(".ac-adaptiveCard", new() { HasText = "Walk me through it" }).CountAsync());
    }
}
