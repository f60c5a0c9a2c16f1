using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Proactive;

namespace SupportBot.Tests.Infrastructure;

public static class OutboxIdle
{
    // Waits until the bot's outbox has sent everything queued and run every after-sent hook (seen idle twice in a row),
    // so a test can count what reached the Connector. Bounded: fails after the timeout.
    public static async Task WaitForOutboxIdleAsync(this BotServer bot, TimeSpan? timeout = null)
    {
        var table = bot.Services.GetRequiredService<TableServiceClient>().GetTableClient("Outbox");
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var idleSeen = 0;
        while (DateTime.UtcNow < deadline)
        {
            var busy = false;
            try
            {
                await foreach (var _ in table.QueryAsync<TableEntity>("(RowKey ge 'm-' and RowKey lt 'm.') or AfterSentPending eq true", maxPerPage: 1, select: ["RowKey"]))
                {
                    busy = true;
                    break;
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                // no outbox table yet: nothing was ever queued
            }
            idleSeen = busy ? 0 : idleSeen + 1;
            if (idleSeen >= 2) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The outbox still had messages or hooks pending.");
    }
}
