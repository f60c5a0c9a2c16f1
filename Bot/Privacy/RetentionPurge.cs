using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Knowledge;
using SupportBot.Storage;
using SupportBot.Tickets;

namespace SupportBot.Privacy;

public sealed class RetentionOptions
{
    // How long a closed ticket (resolved, closed or cancelled, counted from its last change), its notes and poll, a
    // conversation reference not refreshed, and an unanswered one-click question are kept before `purge` deletes them.
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(365);
}

public sealed record PurgeReport(int Tickets, int TicketRows, int IndexRows, int RequestClaims, int RequestNumbers, int Polls, int Reminders,
    int SlaAlerts, int ConversationReferences, int PendingRequests, int SuggestionTexts)
{
    public override string ToString() =>
        $"{Tickets} closed tickets ({TicketRows} rows with their history and notes, {IndexRows} index rows, {RequestClaims} request claims, " +
        $"{RequestNumbers} request number rows), " +
        $"{Polls} polls, {Reminders} poll reminders, {SlaAlerts} SLA alerts, {ConversationReferences} conversation references, " +
        $"{PendingRequests} unanswered questions; the words of {SuggestionTexts} knowledge-base suggestions cleared (their counts stay)";
}

// Deletes what the retention period no longer allows. Only tickets that are not open, whose last change is older than
// the cutoff, go, with every row keyed by their number; a conversation reference goes when it was not refreshed within the
// period, unless its user still has an open ticket (the bot must still reach them). A batch job: it scans whole tables,
// which the bot itself never does. Idempotent: stopped halfway, the next run finishes the job.
public sealed class RetentionPurge(TableServiceClient tables, TableTicketStore tickets, TimeProvider clock)
{
    public async Task<PurgeReport> RunAsync(TimeSpan keepFor, bool dryRun, CancellationToken ct)
    {
        if (keepFor <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(keepFor), "The retention period must be positive.");
        var cutoff = clock.GetUtcNow() - keepFor;

        var expired = new List<Ticket>();
        var openRequesters = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var ticket in tickets.ExportAsync(ct))
        {
            if (ticket.IsOpen) openRequesters.Add(ticket.Requester.TeamsId);
            else if (ticket.UpdatedAt < cutoff) expired.Add(ticket);
        }
        var numbers = expired.Select(t => t.Number).ToHashSet();

        int ticketRows = 0, indexRows = 0, claims = 0, requestNumbers = 0, polls = 0, reminders = 0, alerts = 0;
        var ticketsTable = await TableAsync("Tickets", ct);
        var indexTable = await TableAsync("TicketIndex", ct);
        var pollsTable = await TableAsync("SatisfactionPolls", ct);
        var alertsTable = await TableAsync("SlaAlerts", ct);
        // Which request became which ticket (its claim, and the number row written with the counter), and poll
        // reminders, are keyed by request and due time: one scan each (the number rows: one partition). Before the
        // tickets: a run cut short finds the tickets again next time, and so what is keyed by their numbers.
        requestNumbers += await DeleteWhereAsync(ticketsTable, TableClient.CreateQueryFilter($"PartitionKey eq {"counter"}"),
            row => row.RowKey.StartsWith(TableTicketStore.RequestRowPrefix, StringComparison.Ordinal) && row.GetInt32("Number") is { } n && numbers.Contains(n), dryRun, ct);
        claims += await DeleteWhereAsync(await TableAsync("TicketRequests", ct), null,
            row => row.GetInt32("Number") is { } n && numbers.Contains(n), dryRun, ct);
        reminders += await DeleteWhereAsync(await TableAsync("PollReminders", ct), null,
            row => row.GetInt32("Ticket") is { } n && numbers.Contains(n), dryRun, ct);

        foreach (var ticket in expired)
        {
            var partition = ticket.Number.ToString("D10");
            // The state row last: a run cut short still finds the ticket next time and deletes the rest.
            ticketRows += await DeletePartitionAsync(ticketsTable, partition, dryRun, lastRow: "ticket", ct);
            polls += await DeletePartitionAsync(pollsTable, partition, dryRun, null, ct);
            alerts += await DeletePartitionAsync(alertsTable, partition, dryRun, null, ct);
            indexRows += await DeleteIndexRowsAsync(indexTable, ticket, dryRun, ct);
        }

        var references = await DeleteWhereAsync(await TableAsync("ConversationReferences", ct), TableClient.CreateQueryFilter($"Timestamp lt {cutoff}"),
            row => !openRequesters.Contains(Uri.UnescapeDataString(row.RowKey.Replace("~", "%"))), dryRun, ct);
        var pending = await DeleteWhereAsync(await TableAsync("PendingRequests", ct), TableClient.CreateQueryFilter($"Timestamp lt {cutoff}"),
            _ => true, dryRun, ct);

        var suggestionTexts = await ClearSuggestionTextsAsync(await TableAsync("KnowledgeFeedback", ct), cutoff, dryRun, ct);

        return new PurgeReport(expired.Count, ticketRows, indexRows, claims, requestNumbers, polls, reminders, alerts, references, pending, suggestionTexts);
    }

    // A suggestion row keeps what was asked (for "I still need help" to file it) and which articles its card offered (the
    // "shown" counts): past the retention the words go and the ids stay.
    static async Task<int> ClearSuggestionTextsAsync(TableClient feedback, DateTimeOffset cutoff, bool dryRun, CancellationToken ct)
    {
        var cleared = 0;
        var filter = $"({ArticleFeedbackStore.AllSuggestions}) and {TableClient.CreateQueryFilter($"Timestamp lt {cutoff}")}";
        await foreach (var row in feedback.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Request"], cancellationToken: ct))
        {
            if (string.IsNullOrEmpty(row.GetString("Request"))) continue;
            cleared++;
            if (!dryRun)
                await feedback.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["Request"] = "" }, ETag.All, TableUpdateMode.Merge, ct);
        }
        return cleared;
    }

    async Task<TableClient> TableAsync(string name, CancellationToken ct) => await new LazyTable(tables, name).GetAsync(ct);

    static async Task<int> DeletePartitionAsync(TableClient table, string partition, bool dryRun, string? lastRow, CancellationToken ct)
    {
        var rows = new List<(string Pk, string Rk)>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["PartitionKey", "RowKey"], cancellationToken: ct))
            rows.Add((row.PartitionKey, row.RowKey));
        if (dryRun) return rows.Count;
        var first = rows.Where(r => r.Rk != lastRow).ToList();
        // One entity-group transaction holds at most 100 operations, all in one partition.
        foreach (var chunk in first.Chunk(100))
            await table.SubmitTransactionAsync(chunk.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(r.Pk, r.Rk), ETag.All)), ct);
        foreach (var last in rows.Where(r => r.Rk == lastRow))
            await DeleteIfExistsAsync(table, last.Pk, last.Rk, ct);
        return rows.Count;
    }

    static async Task<int> DeleteIndexRowsAsync(TableClient index, Ticket ticket, bool dryRun, CancellationToken ct)
    {
        var row = (int.MaxValue - ticket.Number).ToString("D10");
        var people = new[] { ticket.Requester.TeamsId, ticket.Assignee?.TeamsId }.OfType<string>();
        var keys = people.Select(id => ("requester~" + LazyTable.Key(id), row))
            .Concat(people.Select(id => ("assignee~" + LazyTable.Key(id), row)));
        var deleted = 0;
        foreach (var (pk, rk) in keys.Distinct())
            if (dryRun ? (await index.GetEntityIfExistsAsync<TableEntity>(pk, rk, select: ["RowKey"], cancellationToken: ct)).HasValue : await DeleteIfExistsAsync(index, pk, rk, ct))
                deleted++;
        return deleted;
    }

    static async Task<int> DeleteWhereAsync(TableClient table, string? filter, Func<TableEntity, bool> match, bool dryRun, CancellationToken ct)
    {
        var doomed = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            if (match(row)) doomed.Add(row);
        if (!dryRun)
            foreach (var row in doomed)
                await DeleteIfExistsAsync(table, row.PartitionKey, row.RowKey, ct);
        return doomed.Count;
    }

    static async Task<bool> DeleteIfExistsAsync(TableClient table, string pk, string rk, CancellationToken ct)
    {
        try
        {
            await table.DeleteEntityAsync(pk, rk, ETag.All, ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }
}
