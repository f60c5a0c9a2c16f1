using Microsoft.Extensions.DependencyInjection;
using SupportBot.Tickets;

namespace SupportBot.Tests.Infrastructure;

// A test class that talks to the real bot in-process (InProcessConversation) with its own Azurite.
public abstract class InProcessBotTests(bool azuriteOnDisk = false) : IAsyncLifetime
{
    protected Azurite Azurite { get; } = new(azuriteOnDisk);
    protected BotServer Bot { get; private set; } = null!;
    protected ITicketStore Tickets => Bot.Services.GetRequiredService<ITicketStore>();

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        Bot = await InProcessConversation.StartBotAsync(Azurite.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
