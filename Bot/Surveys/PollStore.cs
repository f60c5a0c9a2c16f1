using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Surveys;

// A reminder that is due: its row key names the poll, so two instances working the same row send one reminder.
public sealed record DueReminder(string RowKey, ETag ETag, int Ticket, int Resolution);

// Layout (see docs/architecture.md):
//   SatisfactionPolls  PK ticket number (10 digits)  RK "poll-{resolution seq:D6}"  the poll and its answers (JSON), AskedAt
//   PollReminders      PK "due"                      RK "{due ticks:D19}-{ticket:D10}-{resolution:D6}"  a durable timer
// Answers are ETag-guarded merges of the poll row, so each is written once even when two clicks race.
public sealed class PollStore(TableServiceClient tables)
{
    const string DuePartition = "due";
    readonly LazyTable polls = new(tables, "SatisfactionPolls");
    readonly LazyTable reminders = new(tables, "PollReminders");

    // false when this resolution's poll already exists (a replay, a second instance).
    public async Task<bool> CreateAsync(PollRecord poll, CancellationToken ct)
    {
        try
        {
            await (await polls.GetAsync(ct)).AddEntityAsync(ToEntity(poll), ct);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public async Task<PollRecord?> GetAsync(int ticket, int resolution, CancellationToken ct) =>
        (await ReadAsync(await polls.GetAsync(ct), ticket, resolution, ct))?.Poll;

    // change sees the latest answers and may run more than once; null leaves the poll as it is. Changed is false then.
    public async Task<(PollRecord Poll, bool Changed)?> UpdateAsync(int ticket, int resolution, Func<PollRecord, PollRecord?> change, CancellationToken ct)
    {
        var table = await polls.GetAsync(ct);
        while (true)
        {
            if (await ReadAsync(table, ticket, resolution, ct) is not var (poll, etag)) return null;
            if (change(poll) is not { } updated) return (poll, false);
            try
            {
                await table.UpdateEntityAsync(ToEntity(updated), etag, TableUpdateMode.Replace, ct);
                return (updated, true);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // another click answered first: decide again on what it wrote
            }
        }
    }

    // Polls asked on or after since (every poll row is read: the table holds one small row per resolution).
    public async IAsyncEnumerable<PollRecord> ListAskedSinceAsync(DateTimeOffset since, [EnumeratorCancellation] CancellationToken ct)
    {
        var table = await polls.GetAsync(ct);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"AskedAt ge {since}"), cancellationToken: ct))
            yield return FromEntity(row);
    }

    public async Task ScheduleReminderAsync(PollRecord poll, DateTimeOffset dueAt, CancellationToken ct) =>
        await (await reminders.GetAsync(ct)).UpsertEntityAsync(new TableEntity(DuePartition, $"{dueAt.UtcTicks:D19}-{poll.Ticket:D10}-{poll.Resolution:D6}")
        {
            ["Ticket"] = poll.Ticket,
            ["Resolution"] = poll.Resolution,
        }, TableUpdateMode.Replace, ct);

    public async Task<IReadOnlyList<DueReminder>> ListDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        var table = await reminders.GetAsync(ct);
        var due = new List<DueReminder>();
        var upTo = $"{now.UtcTicks + 1:D19}";
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {DuePartition} and RowKey lt {upTo}"), cancellationToken: ct))
            due.Add(new DueReminder(row.RowKey, row.ETag, row.GetInt32("Ticket") ?? 0, row.GetInt32("Resolution") ?? 0));
        return due;
    }

    // Done with it: another instance may have deleted it first, which is the same.
    public async Task CompleteReminderAsync(DueReminder reminder, CancellationToken ct)
    {
        try
        {
            await (await reminders.GetAsync(ct)).DeleteEntityAsync(DuePartition, reminder.RowKey, ETag.All, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    static async Task<(PollRecord Poll, ETag ETag)?> ReadAsync(TableClient table, int ticket, int resolution, CancellationToken ct)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(ticket), Row(resolution), cancellationToken: ct);
        return found.HasValue ? (FromEntity(found.Value!), found.Value!.ETag) : null;
    }

    static string Partition(int ticket) => ticket.ToString("D10");
    static string Row(int resolution) => $"poll-{resolution:D6}";

    static TableEntity ToEntity(PollRecord poll) => new(Partition(poll.Ticket), Row(poll.Resolution))
    {
        ["AskedAt"] = poll.AskedAt,
        ["Poll"] = JsonSerializer.Serialize(poll, JsonLines.Options),
    };

    static PollRecord FromEntity(TableEntity e) => JsonSerializer.Deserialize<PollRecord>(e.GetString("Poll")!, JsonLines.Options)!;
}
