using Microsoft.Playwright;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Conversations;

// A person's view: the Playground's Teams-like web UI in headless Chromium.
public sealed class PlaygroundBrowserTests : IAsyncLifetime
{
    LocalStack stack = null!;
    BotServer bot => stack.Bot;
    Playground playground => stack.Playground;

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: false);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task Typing_a_message_shows_the_bots_card_and_answering_its_question_updates_it()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Browser.Options);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await page.GotoAsync(playground.BaseAddress.ToString());

        var input = page.Locator("div[role=\"textbox\"][data-lexical-editor=\"true\"]");
        await input.ClickAsync(new() { Timeout = 30_000 });
        await input.PressSequentiallyAsync("the projector in room 12 is not working");
        await input.PressAsync("Enter");

        var card = page.Locator(".ac-adaptiveCard", new() { HasText = "room 12" });
        await card.Last.WaitForAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.OutputDirectory("screenshots"), "playground-reply-card.png"), FullPage = true });

        await card.Last.Locator(".ac-actionSet button[aria-label=\"Yes, right now\"]").ClickAsync();
        var ticket = page.Locator(".ac-adaptiveCard", new() { HasText = "Ticket #" }).Last;
        await ticket.WaitForAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(TestPaths.OutputDirectory("screenshots"), "playground-card-updated.png"), FullPage = true });

        Assert.Contains("EMERGENCY", await ticket.InnerTextAsync());
        Assert.True(await ticket.Locator("textarea, input").First.IsVisibleAsync()); // the "Add details" box, on the card in place
    }
}
