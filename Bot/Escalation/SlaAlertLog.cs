using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Escalation;

// Which escalations have been sent, for good: the outbox forgets its dedupe keys after Outbox:KeepOutcomesFor, and a
// ticket can stay breached for longer than that. Table "SlaAlerts": partition the ticket number (10 digits, as in
// "Tickets"), row the alert key, so a ticket's alerts are one partition.
public sealed class SlaAlertLog(TableServiceClient tables, TimeProvider clock)
{
    readonly LazyTable table = new(tables, "SlaAlerts");

    public async Task<bool> HasFiredAsync(SlaAlert alert, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(Partition(alert.Ticket), alert.Key, select: ["RowKey"], cancellationToken: ct);
        return found.HasValue;
    }

    public async Task MarkFiredAsync(SlaAlert alert, CancellationToken ct) =>
        await (await table.GetAsync(ct)).UpsertEntityAsync(new TableEntity(Partition(alert.Ticket), alert.Key)
        {
            ["Target"] = alert.Target.ToString(),
            ["State"] = alert.State.ToString(),
            ["DueAt"] = alert.DueAt,
            ["FiredAt"] = clock.GetUtcNow(),
        }, TableUpdateMode.Replace, ct);

    static string Partition(int number) => number.ToString("D10");
}
