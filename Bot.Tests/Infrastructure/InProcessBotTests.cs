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
        Bot = await InProcessConversation.StartBotAsync(Azurite.ConnectionString, Overrides);
    }

    // Applied over the bot's own registrations (e.g. a storage client with a test hook).
    protected virtual Action<IServiceCollection>? Overrides => null;

    // Something the outbox's drainer does after the turn (the channel card's id stored on the ticket): a bounded wait.
    protected async Task<Ticket> TicketWhenAsync(int number, Func<Ticket, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var ticket = await Tickets.GetAsync(number, CancellationToken.None) ?? throw new InvalidOperationException($"No ticket {number}");
            if (condition(ticket)) return ticket;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Ticket {number} never reached the expected state");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        await Bot.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
