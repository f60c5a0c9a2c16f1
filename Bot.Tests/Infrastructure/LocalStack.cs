namespace SupportBot.Tests.Infrastructure;

// What dev.sh runs, started for one test: Azurite, the bot and the Agents Playground, each on its own port.
public sealed class LocalStack : IAsyncDisposable
{
    readonly Azurite azurite;

    LocalStack(Azurite azurite, BotServer bot, Playground playground)
    {
        this.azurite = azurite;
        Bot = bot;
        Playground = playground;
    }

    public BotServer Bot { get; private set; }
    public Playground Playground { get; }

    public static async Task<LocalStack> StartAsync(bool connectStream = true)
    {
        var azurite = new Azurite();
        BotServer? bot = null;
        try
        {
            await azurite.InitializeAsync();
            bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString });
            var playground = await Playground.StartAsync(bot.MessagesEndpoint, connectStream);
            return new LocalStack(azurite, bot, playground);
        }
        catch
        {
            // xunit does not dispose a class whose set-up threw: stop what did start, or it outlives the run.
            if (bot is not null) await bot.DisposeAsync();
            await azurite.DisposeAsync();
            throw;
        }
    }

    // A new bot process on the same port and the same storage: what survives is what was stored.
    public async Task RestartBotAsync()
    {
        var port = Bot.BaseAddress.Port;
        await Bot.DisposeAsync();
        Bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString }, port: port);
    }

    public async ValueTask DisposeAsync()
    {
        await Playground.DisposeAsync();
        await Bot.DisposeAsync();
        await azurite.DisposeAsync();
    }
}
