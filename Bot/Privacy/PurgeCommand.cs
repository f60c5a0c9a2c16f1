using System.CommandLine;
using Microsoft.Extensions.Options;
using SupportBot.Storage;
using SupportBot.Tickets;

namespace SupportBot.Privacy;

// `purge [--older-than 365] [--dry-run]`: deletes what Retention:KeepFor no longer allows, from the configured storage
// (ConnectionStrings:Tables, as the bot reads it; Azurite when unset). Run it daily (an App Service WebJob, a cron job).
public static class PurgeCommand
{
    public static Command Create()
    {
        var olderThan = new Option<int?>("--older-than") { Description = "Retention in days; default Retention:KeepFor (365 days)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted; delete nothing." };
        var purge = new Command("purge", "Delete closed tickets (with notes and history), polls, SLA alerts, conversation references and unanswered questions older than the retention period.")
        {
            olderThan, dryRun,
        };
        purge.SetAction(async (parse, ct) =>
        {
            var configuration = TicketsCommand.Configuration();
            var retention = configuration.GetSection("Retention").Get<RetentionOptions>() ?? new RetentionOptions();
            var keepFor = parse.GetValue(olderThan) is { } days ? TimeSpan.FromDays(days) : retention.KeepFor;
            if (keepFor <= TimeSpan.Zero)
            {
                Console.Error.WriteLine("The retention period must be at least one day.");
                return 2;
            }
            var tables = TableStorage.CreateClient(configuration.GetConnectionString("Tables"));
            var store = new TableTicketStore(tables, Options.Create(new TicketOptions()), TimeProvider.System);
            var report = await new RetentionPurge(tables, store, TimeProvider.System).RunAsync(keepFor, parse.GetValue(dryRun), ct);
            Console.WriteLine($"{(parse.GetValue(dryRun) ? "Would delete" : "Deleted")} (older than {keepFor.TotalDays:0.##} days): {report}");
            return 0;
        });
        return purge;
    }
}
