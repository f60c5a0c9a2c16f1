using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;
using SupportBot.Triage;

namespace SupportBot.Incidents;

// A filed report as detection sees it: who, when, what it is about, and whether it already belongs to an incident.
public sealed record RecentReport(string RowKey, int Number, string RequesterId, DateTimeOffset At, IReadOnlySet<string> Keys, string? Incident, bool Separated);

// An open incident as detection matches new reports against it: the words of the reports that opened it.
public sealed record OpenIncident(string Id, IReadOnlyList<string[]> Signatures);

// Layout (see docs/architecture.md):
//   MajorIncidents  PK "category~{category}"  RK "open"                      the open incidents of this category (ETag:
//                                                                          opening one is decided by one writer at a time)
//                                             RK "report-{ticks}-{number}"  each filed report, for the window's count
//                   PK "incident~{id}"        RK "state"                     the incident (parent ticket, channel card, resolution)
//                                             RK "report-{number}"           one row per linked ticket
// Opening an incident writes the "open" row and marks the reports it takes in one entity-group transaction, so two
// instances never open two incidents from one wave, and a report is never counted into two.
public sealed class MajorIncidentStore(TableServiceClient tables)
{
    const string OpenRow = "open";
    const string StateRow = "state";
    const string ReportPrefix = "report-";
    static readonly JsonSerializerOptions Json = new(Protocol.ProtocolJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    readonly LazyTable table = new(tables, "MajorIncidents");

    static string CategoryPartition(string category) => "category~" + LazyTable.Key(category);
    static string IncidentPartition(string id) => "incident~" + LazyTable.Key(id);
    public static string RecentRowKey(DateTimeOffset at, int number) => $"{ReportPrefix}{at.UtcTicks:D19}-{number:D10}";

    public async Task RecordAsync(string category, RecentReport report, CancellationToken ct) =>
        await (await table.GetAsync(ct)).UpsertEntityAsync(new TableEntity(CategoryPartition(category), report.RowKey)
        {
            ["Number"] = report.Number,
            ["RequesterId"] = report.RequesterId,
            ["At"] = report.At,
            ["Keys"] = string.Join(' ', report.Keys),
        }, TableUpdateMode.Merge, ct);

    public async Task<(IReadOnlyList<OpenIncident> Open, ETag? ETag, IReadOnlyList<RecentReport> Recent)> ReadCategoryAsync(
        string category, DateTimeOffset since, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var partition = CategoryPartition(category);
        var open = await t.GetEntityIfExistsAsync<TableEntity>(partition, OpenRow, cancellationToken: ct);
        var recent = new List<RecentReport>();
        var from = RecentRowKey(since, 0);
        await foreach (var row in t.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {from} and RowKey lt {ReportPrefix + "~"}"), cancellationToken: ct))
            recent.Add(new RecentReport(row.RowKey, row.GetInt32("Number") ?? 0, row.GetString("RequesterId") ?? "", row.GetDateTimeOffset("At") ?? since,
                (row.GetString("Keys") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
                row.GetString("Incident"), row.GetBoolean("Separated") ?? false));
        var list = open.HasValue ? JsonSerializer.Deserialize<List<OpenIncident>>(open.Value!.GetString("Incidents") ?? "[]", Json)! : [];
        return (list, open.HasValue ? open.Value!.ETag : null, recent);
    }

    // Opens the incident and takes the cluster's reports into it, or returns false when another writer changed the
    // category first (read again and decide again).
    public async Task<bool> TryOpenAsync(string category, ETag? etag, IReadOnlyList<OpenIncident> open, IReadOnlyList<RecentReport> taken, string id, CancellationToken ct)
    {
        var partition = CategoryPartition(category);
        var row = new TableEntity(partition, OpenRow) { ["Incidents"] = JsonSerializer.Serialize(open, Json) };
        var actions = new List<TableTransactionAction>
        {
            etag is { } e ? new(TableTransactionActionType.UpdateReplace, row, e) : new(TableTransactionActionType.Add, row),
        };
        actions.AddRange(taken.Take(99).Select(r => new TableTransactionAction(TableTransactionActionType.UpdateMerge,
            new TableEntity(partition, r.RowKey) { ["Incident"] = id }, ETag.All)));
        try
        {
            await (await table.GetAsync(ct)).SubmitTransactionAsync(actions, ct);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return false;
        }
    }

    public async Task MarkRecentAsync(string category, string rowKey, string? incident, bool separated, CancellationToken ct)
    {
        var row = new TableEntity(CategoryPartition(category), rowKey) { ["Separated"] = separated };
        if (incident is not null) row["Incident"] = incident;
        try
        {
            await (await table.GetAsync(ct)).UpdateEntityAsync(row, ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404) { }
    }

    // Resolved: new reports in the category no longer join it.
    public async Task CloseAsync(string category, string id, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var found = await t.GetEntityIfExistsAsync<TableEntity>(CategoryPartition(category), OpenRow, cancellationToken: ct);
            if (!found.HasValue) return;
            var list = JsonSerializer.Deserialize<List<OpenIncident>>(found.Value!.GetString("Incidents") ?? "[]", Json)!;
            if (list.RemoveAll(i => i.Id == id) == 0) return;
            found.Value["Incidents"] = JsonSerializer.Serialize(list, Json);
            try
            {
                await t.UpdateEntityAsync(found.Value, found.Value.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412) { }
        }
    }

    // Reports older than the window are no use for counting: a few are removed with every report.
    public async Task PruneAsync(string category, DateTimeOffset before, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var partition = CategoryPartition(category);
        var old = new List<TableEntity>();
        await foreach (var row in t.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {ReportPrefix} and RowKey lt {RecentRowKey(before, 0)}"),
            maxPerPage: 20, select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            old.Add(row);
            if (old.Count == 20) break;
        }
        if (old.Count > 0)
            await t.SubmitTransactionAsync(old.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), ct);
    }

    public async Task<(MajorIncident Incident, ETag ETag)?> GetAsync(string id, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        TableEntity? state = null;
        var reports = new List<IncidentReport>();
        await foreach (var row in t.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {IncidentPartition(id)}"), cancellationToken: ct))
        {
            if (row.RowKey == StateRow) state = row;
            else if (row.RowKey.StartsWith(ReportPrefix, StringComparison.Ordinal))
                reports.Add(new IncidentReport(row.GetInt32("Number") ?? 0, row.GetString("RequesterId") ?? "", row.GetString("RequesterName"),
                    row.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue, row.GetString("Title") ?? "",
                    Enum.TryParse<Urgency>(row.GetString("Urgency"), out var u) ? u : Urgency.Normal,
                    row.GetBoolean("Absorbed") ?? false, row.GetString("RecentRow") ?? "", row.GetBoolean("Separated") ?? false));
        }
        if (state is null) return null;
        var incident = JsonSerializer.Deserialize<MajorIncident>(state.GetString("State")!, Json)! with { Reports = reports };
        return (incident, state.ETag);
    }

    // Idempotent: the first writer's state stands.
    public async Task CreateAsync(MajorIncident incident, CancellationToken ct)
    {
        try
        {
            await (await table.GetAsync(ct)).AddEntityAsync(StateEntity(incident), ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409) { }
    }

    // change sees the latest state and may run more than once; null leaves it as it is.
    public async Task<MajorIncident?> UpdateAsync(string id, Func<MajorIncident, MajorIncident?> change, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            if (await GetAsync(id, ct) is not { } current) return null;
            if (change(current.Incident) is not { } next) return current.Incident;
            try
            {
                await t.UpdateEntityAsync(StateEntity(next), current.ETag, TableUpdateMode.Replace, ct);
                return next;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 20)
            {
                await Task.Delay(Random.Shared.Next(5, 20 * (attempt + 1)), ct);
            }
        }
    }

    // A report joins once; a later add (a replay) keeps what the first wrote, including "different".
    public async Task AddReportAsync(string id, IncidentReport report, CancellationToken ct)
    {
        try
        {
            await (await table.GetAsync(ct)).AddEntityAsync(new TableEntity(IncidentPartition(id), $"{ReportPrefix}{report.Number:D10}")
            {
                ["Number"] = report.Number,
                ["RequesterId"] = report.RequesterId,
                ["RequesterName"] = report.RequesterName,
                ["At"] = report.At,
                ["Title"] = report.Title,
                ["Urgency"] = report.Urgency.ToString(),
                ["Absorbed"] = report.Absorbed,
                ["RecentRow"] = report.RecentRow,
                ["Separated"] = false,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409) { }
    }

    public async Task SeparateAsync(string id, int number, CancellationToken ct)
    {
        try
        {
            await (await table.GetAsync(ct)).UpdateEntityAsync(new TableEntity(IncidentPartition(id), $"{ReportPrefix}{number:D10}") { ["Separated"] = true },
                ETag.All, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 404) { }
    }

    static TableEntity StateEntity(MajorIncident incident) => new(IncidentPartition(incident.Id), StateRow)
    {
        ["State"] = JsonSerializer.Serialize(incident with { Reports = [] }, Json),
    };
}
