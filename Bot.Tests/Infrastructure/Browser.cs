using Microsoft.Playwright;

namespace SupportBot.Tests.Infrastructure;

// Debian's chromium, headless, with everything that would reach beyond this machine turned off.
public static class Browser
{
    public static BrowserTypeLaunchOptions Options => new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
    };
}
