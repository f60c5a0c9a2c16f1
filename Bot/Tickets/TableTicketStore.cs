using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Storage;
using SupportBot.Triage;

namespace SupportBot.Tickets;

public sealed class TicketOptions
{
    // The first ticket gets this number; later ones count up from it.
    public int FirstNumber { get; set; } = 1001;
}

// Layout (see docs/architecture.md):
//   Tickets        PK ticket number (10 digits)  RK "ticket"      the current state (one ETag guards every change)
//                                                RK "event-NNNNNN" one row per change, so no row ever outgrows its limits
//                                                RK "card~{role}"  where that card was posted
//                  The state row also carries the whole history while it fits one property, so a ticket is read by
//                  point reads alone; a longer history (or a row an older build wrote) is read from the event rows.
//                  PK "counter"                  RK "tickets"     the next number, ETag-guarded
//                                                RK "request~{request key}" the number a request was given, written in
//                                                                 one transaction with the counter update that took it
//   TicketIndex    PK "requester~{id}" / "assignee~{id}"  RK inverted number (newest first)
//                  PK "open"                     RK urgency rank, due time, number (the queue's order)
//   TicketRequests PK request key (conversation + activity)  which number a request became: filing twice files once
//                  (a copy of its "request~" row once it has one, for the readers of request keys)
// A change writes the state and its history rows in one entity-group transaction; the index rows are a projection
// re-written after every change (and on every replay of a filing), so a crash between the two heals on the next write.
public sealed class TableTicketStore(TableServiceClient tables, IOptions<TicketOptions> options, TimeProvider clock) : ITicketStore
{
    const string StateRow = "ticket";
    const string EventPrefix = "event-";
    // Where a ticket's cards were posted: rows of their own beside the state row, so remembering one is a single insert
    // that neither changes the ticket (its version, UpdatedAt, index rows) nor races a technician's change to it.
    const string CardPrefix = "card~";
    const string HistoryProperty = "History";
    const int MaxHistoryChars = 30_000;
    const string OpenPartition = "open";
    const string CounterPartition = "counter";
    const string CounterRow = "tickets";
    public const string RequestRowPrefix = "request~";
    // One entity-group transaction holds at most 100 actions: the counter update and 99 requests.
    const int MaxBatch = 99;
    // A ticket changed this often while one change's index rows are on their way is being fought over; the last writer
    // still projects its own state and the next change heals the rest.
    const int MaxProjections = 5;
    static readonly TimeSpan AbandonedClaim = TimeSpan.FromSeconds(30);

    static readonly JsonSerializerOptions Json = new(Protocol.ProtocolJson.Options)
    {
        // Storage, not HTML: keep non-ASCII as is so 4,000 characters of emoji stay within a property's 64 KB.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    readonly LazyTable ticketsTable = new(tables, "Tickets");
    readonly LazyTable indexTable = new(tables, "TicketIndex");
    readonly LazyTable requestsTable = new(tables, "TicketRequests");
    // Instances contend on the counter only with each other, not with themselves: one turn at a time updates it, for
    // every turn waiting by then (a burst of filings costs one counter update, not one each in turn).
    readonly SemaphoreSlim numbering = new(1, 1);
    readonly Lock waitingLock = new();
    List<NumberWaiter> waitingForNumbers = [];

    sealed record NumberWaiter(string ClaimKey, TaskCompletionSource<int> Number);

    // How many filings are queued for a number and not yet taken into a batch (for tests that build a batch).
    internal int WaitingForNumbers { get { lock (waitingLock) return waitingForNumbers.Count; } }

    // Number: the number this request has (on its claim, or only in its request row). Entity: the claim, with its ETag.
    sealed record Claim(int? Number, TableEntity Entity);

    public async Task<FiledTicket> FileAsync(string requestKey, Func<int, Ticket> create, CancellationToken ct)
    {
        var requests = await requestsTable.GetAsync(ct);
        var claim = await ClaimAsync(requests, LazyTable.Key(requestKey), requestKey, ct);
        if (claim.Number is { } reserved && claim.Entity.GetInt32("Number") is null)
            await WriteClaimNumberAsync(requests, claim.Entity.PartitionKey, reserved, ct);
        if (claim.Number is { } known && await ReadAsync(await ticketsTable.GetAsync(ct), known, ct) is (var existing, _, var existingVersion))
        {
            await ProjectAsync(null, existing, existingVersion, ct);
            return new FiledTicket(existing, Created: false);
        }

        // Claimed by this turn (or claimed with a number whose ticket was never written): the number is ours to fill.
        // From here on the turn's deadline no longer cuts the writes off (the storage client's own timeouts and retries
        // bound them): a number taken from the counter but never written to the claim, or a claim's number whose ticket
        // is never written, would be a hole in the sequence (found by bench/Chaos: 91 gaps in the soak).
        var number = claim.Number ?? await AssignNumberAsync(requests, claim.Entity.PartitionKey);
        var ticket = create(number) with { Number = number, History = [] };
        var filed = ticket with
        {
            UpdatedAt = ticket.CreatedAt,
            History = [new TicketEvent(1, ticket.CreatedAt, ticket.Requester.TeamsId, ticket.Requester.Name, TicketEventKind.Filed,
                $"Filed as {(ticket.Urgency == Urgency.Emergency ? "an emergency" : "a normal request")}")],
        };
        var table = await ticketsTable.GetAsync(ct);
        try
        {
            await table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Add, ToStateEntity(filed, version: 1)),
                new(TableTransactionActionType.Add, ToEventEntity(filed.Number, filed.History[0])),
            ], CancellationToken.None);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // A redelivery of the same request (or this turn's own retried write) got there first with the same number.
            var (winner, _, winnerVersion) = await ReadAsync(table, number, ct) ?? throw new InvalidOperationException($"Ticket {number} conflicted but cannot be read.", ex);
            await ProjectAsync(null, winner, winnerVersion, ct);
            return new FiledTicket(winner, Created: false);
        }
        // Nobody else can have changed it yet: its number reaches people only through these rows and the cards shown after.
        await ProjectAsync(null, filed, 1, ct, recheck: false);
        return new FiledTicket(filed, Created: true);
    }

    // Number: the number this request already has. Null: this turn owns the claim and must assign one. The owner id
    // tells this turn's own claim (its insert retried by the SDK after it succeeded) from another's.
    async Task<Claim> ClaimAsync(TableClient requests, string claimKey, string requestKey, CancellationToken ct)
    {
        var owner = Guid.NewGuid().ToString("N");
        var askedCounter = false;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            try
            {
                var fresh = new TableEntity(claimKey, "claim") { ["ClaimedAt"] = clock.GetUtcNow(), ["Owner"] = owner };
                var added = await requests.AddEntityAsync(fresh, ct);
                fresh.ETag = added.Headers.ETag ?? ETag.All;
                return new(null, fresh);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }
            var found = await requests.GetEntityIfExistsAsync<TableEntity>(claimKey, "claim", cancellationToken: ct);
            if (!found.HasValue) continue;
            var entity = found.Value!;
            if (entity.GetInt32("Number") is { } number) return new(number, entity);
            if (entity.GetString("Owner") == owner) return new(null, entity);
            // Its owner may have been given a number and then failed (storage went away, the process died) before
            // writing it here: the number is in the counter's partition, and this turn can file it now, not in 30 s.
            if (!askedCounter)
            {
                askedCounter = true;
                if (await RequestNumberAsync(await ticketsTable.GetAsync(ct), claimKey, ct) is { } reserved) return new(reserved, entity);
            }
            if (clock.GetUtcNow() - (entity.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.MinValue) > AbandonedClaim)
            {
                // The turn that claimed it died before numbering it: take the claim over.
                entity["ClaimedAt"] = clock.GetUtcNow();
                entity["Owner"] = owner;
                try
                {
                    var taken = await requests.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                    entity.ETag = taken.Headers.ETag ?? ETag.All;
                    return new(null, entity);
                }
                catch (RequestFailedException ex) when (ex.Status == 412) { }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
        }
        throw new TicketFilingInProgressException(requestKey);
    }

    // Not cancellable: see FileAsync. A slow owner and the turn that took its claim over both end up with the number
    // in the request's row (see ReserveNumbersAsync), so the claim needs no ETag here.
    async Task<int> AssignNumberAsync(TableClient requests, string claimKey)
    {
        var number = await NextNumberAsync(claimKey);
        await WriteClaimNumberAsync(requests, claimKey, number, CancellationToken.None);
        return number;
    }

    static Task WriteClaimNumberAsync(TableClient requests, string claimKey, int number, CancellationToken ct) =>
        requests.UpsertEntityAsync(new TableEntity(claimKey, "claim") { ["Number"] = number }, TableUpdateMode.Merge, ct);

    static async Task<int?> RequestNumberAsync(TableClient table, string claimKey, CancellationToken ct)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(CounterPartition, RequestRowPrefix + claimKey, select: ["Number"], cancellationToken: ct);
        return found.HasValue ? found.Value!.GetInt32("Number") : null;
    }

    // Not cancellable: a turn that joined a batch gets its number even if its deadline passes meanwhile (a number handed
    // to a waiter that has gone away would be lost to the sequence).
    async Task<int> NextNumberAsync(string claimKey)
    {
        var table = await ticketsTable.GetAsync(CancellationToken.None);
        var mine = new NumberWaiter(claimKey, new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (waitingLock) waitingForNumbers.Add(mine);
        await numbering.WaitAsync(CancellationToken.None);
        try
        {
            // A turn ahead of us may have numbered us with its batch.
            if (mine.Number.Task.IsCompleted) return await mine.Number.Task;
            List<NumberWaiter> batch;
            lock (waitingLock)
            {
                // This turn first, then whoever else is waiting, up to what one transaction holds; the rest go next.
                var keys = new HashSet<string>(StringComparer.Ordinal) { claimKey };
                batch = [mine, .. waitingForNumbers.Where(w => w != mine && (keys.Contains(w.ClaimKey) || (keys.Count < MaxBatch && keys.Add(w.ClaimKey))))];
                waitingForNumbers = [.. waitingForNumbers.Except(batch)];
            }
            try
            {
                var numbers = await ReserveNumbersAsync(table, [.. batch.Select(w => w.ClaimKey).Distinct(StringComparer.Ordinal)], CancellationToken.None);
                foreach (var waiter in batch) waiter.Number.TrySetResult(numbers[waiter.ClaimKey]);
            }
            catch (Exception ex)
            {
                // Whatever was reserved is in the requests' rows: each turn fails as this one does (each turn's own error
                // boundary), and a retry of its request finds its number there.
                foreach (var waiter in batch) waiter.Number.TrySetException(ex);
            }
            return await mine.Number.Task;
        }
        finally
        {
            numbering.Release();
        }
    }

    // Consecutive numbers for these claims, from the ETag-guarded counter: one transaction moves the counter and adds a
    // row per request naming its number, so a reservation that committed is never lost to a failure after it (nor to
    // its answer being lost): the request finds its number in its row when it comes again.
    // Each attempt also names itself in the counter row: an update that committed but whose answer was lost (a timeout,
    // then the SDK's retry failing on the changed ETag) is recognised on the next read instead of reserving again.
    async Task<Dictionary<string, int>> ReserveNumbersAsync(TableClient table, List<string> claimKeys, CancellationToken ct)
    {
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = claimKeys;
        var reservation = Guid.NewGuid().ToString("N");
        int? asked = null;
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(CounterPartition, CounterRow, cancellationToken: ct);
            if (asked is { } committed && found.HasValue && found.Value!.GetString("Reservation") == reservation)
                return Numbered(committed);
            var next = found.HasValue ? found.Value!.GetInt32("Next") ?? options.Value.FirstNumber : options.Value.FirstNumber;
            var counter = new TableEntity(CounterPartition, CounterRow) { ["Next"] = next + pending.Count, ["Reservation"] = reservation };
            List<TableTransactionAction> actions =
            [
                found.HasValue ? new(TableTransactionActionType.UpdateReplace, counter, found.Value!.ETag) : new(TableTransactionActionType.Add, counter),
                .. pending.Select((key, i) => new TableTransactionAction(TableTransactionActionType.Add,
                    new TableEntity(CounterPartition, RequestRowPrefix + key) { ["Number"] = next + i, ["Reservation"] = reservation })),
            ];
            asked = next;
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
                return Numbered(next);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409
                && (ex.FailedTransactionActionIndex is { } index ? index > 0 && index <= pending.Count : found.HasValue))
            {
                // A request was given a number before (by a turn that failed after, or a slow one whose claim this turn
                // took over): it keeps that one, and the rest try again without it. Nothing committed. (With the counter
                // updated, not added, only a request row can conflict: when the action is not named, each is looked up.)
                List<string> conflicted = ex.FailedTransactionActionIndex is { } failed ? [pending[failed - 1]] : pending;
                foreach (var key in conflicted)
                    if (await RequestNumberAsync(table, key, ct) is { } number) numbers[key] = number;
                if (!conflicted.Any(numbers.ContainsKey))
                    throw new InvalidOperationException("A request's number row conflicted but cannot be read.", ex);
                pending = [.. pending.Where(key => !numbers.ContainsKey(key))];
                asked = null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 100)
            {
                // Another instance took these numbers: read again.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 10 + 5 * Math.Min(attempt, 20))), clock, ct);
            }
        }
        return numbers;

        Dictionary<string, int> Numbered(int first)
        {
            for (var i = 0; i < pending.Count; i++) numbers[pending[i]] = first + i;
            return numbers;
        }
    }

    public async Task<int?> FindRequestAsync(string requestKey, CancellationToken ct)
    {
        var found = await (await requestsTable.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(LazyTable.Key(requestKey), "claim", cancellationToken: ct);
        return found.HasValue ? found.Value!.GetInt32("Number") : null;
    }

    public async Task LinkRequestAsync(string requestKey, int number, CancellationToken ct)
    {
        try
        {
            await (await requestsTable.GetAsync(ct)).AddEntityAsync(new TableEntity(LazyTable.Key(requestKey), "claim")
            {
                ["ClaimedAt"] = clock.GetUtcNow(), ["Owner"] = "reply", ["Number"] = number,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Linked already (a redelivery), or filed as a ticket of its own: either way the key has its ticket.
        }
    }

    public async Task<Ticket?> GetAsync(int number, CancellationToken ct) =>
        (await ReadAsync(await ticketsTable.GetAsync(ct), number, ct))?.Ticket;

    // The state row alone. A ticket's partition query costs the storage service a look at one partition, but Azurite
    // answers every query by scanning the whole table, and the waiting check runs on every message (bench/Chaos
    // soak13: its reads were the most frequent failure once the tickets table was large, and took other calls down with them).
    public async Task<TicketSummary?> GetSummaryAsync(int number, CancellationToken ct)
    {
        var found = await (await ticketsTable.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(NumberKey(number), StateRow, ["State", "Problem"], ct);
        return found.HasValue ? TicketSummary.Of(FromStateEntity(found.Value!, [], [])) with { Reopened = null } : null;
    }

    public async Task<UpdateResult?> UpdateAsync(int number, Func<Ticket, TicketChange?> change, CancellationToken ct)
    {
        var table = await ticketsTable.GetAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            var current = await ReadAsync(table, number, ct);
            if (current is null) return null;
            var (ticket, etag, version) = current.Value;
            var proposed = change(ticket);
            if (proposed is null || (proposed.ChangeId is { } id && ticket.History.Any(e => e.ChangeId == id)))
            {
                // Nothing to write (or this very change is already in: its batch was retried after it committed);
                // the index may still lag behind an earlier write cut short, so bring it in line.
                await ProjectAsync(null, ticket, version, ct);
                return new UpdateResult(ticket, Changed: false);
            }

            var now = clock.GetUtcNow();
            var seq = ticket.History.Count == 0 ? 0 : ticket.History.Max(e => e.Seq);
            var events = proposed.Events.Select(e => new TicketEvent(++seq, now, e.ById, e.ByName, e.Kind, e.Summary, e.Text, proposed.ChangeId)).ToList();
            var updated = proposed.Updated with { Number = number, UpdatedAt = now, History = [.. ticket.History, .. events] };
            var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpdateReplace, ToStateEntity(updated, version + 1), etag) };
            actions.AddRange(events.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToEventEntity(number, e))));
            try
            {
                await table.SubmitTransactionAsync(actions, ct);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412 && attempt < 20)
            {
                // Someone changed it first: apply this change again to what they wrote.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20 * attempt)), clock, ct);
                continue;
            }
            await ProjectAsync(ticket, updated, version + 1, ct);
            return new UpdateResult(updated, Changed: true);
        }
    }

    // Three point reads at once: the state row (with the history, as it usually is) and the two card rows. A partition
    // query would be one round trip, but Azurite answers every query by scanning the whole table (bench/Chaos soak13:
    // these reads were the most frequent failure once the table was large), and a point read is the cheapest call
    // Azure Table Storage has too.
    static async Task<(Ticket Ticket, ETag ETag, int Version)?> ReadAsync(TableClient table, int number, CancellationToken ct)
    {
        var partition = NumberKey(number);
        var reads = new[] { StateRow, CardRowKey(TicketCardRole.Requester), CardRowKey(TicketCardRole.Technician) }
            .Select(row => table.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct)).ToList();
        await Task.WhenAll(reads);
        if (!reads[0].Result.HasValue) return null;
        var state = reads[0].Result.Value!;
        if (HistoryOf(state) is not { } history) return await QueryAsync(table, number, ct);
        var cards = reads.Skip(1).Where(r => r.Result.HasValue).Select(r => r.Result.Value!).ToList();
        return (FromStateEntity(state, history, cards), state.ETag, state.GetInt32("Version") ?? 1);
    }

    // The state row's copy of the history; null when it has none, or one this build cannot read (an event kind a newer
    // build wrote): the event rows then say what happened, as they always can.
    static List<TicketEvent>? HistoryOf(TableEntity state)
    {
        if (state.GetString(HistoryProperty) is not { } history) return null;
        try { return JsonSerializer.Deserialize<List<TicketEvent>>(history, Json); }
        catch (JsonException) { return null; }
    }

    // One partition query: the state row, its cards and every history row.
    static async Task<(Ticket Ticket, ETag ETag, int Version)?> QueryAsync(TableClient table, int number, CancellationToken ct)
    {
        TableEntity? state = null;
        var events = new List<TicketEvent>();
        var cards = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {NumberKey(number)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
        {
            if (row.RowKey == StateRow) state = row;
            else if (row.RowKey.StartsWith(EventPrefix, StringComparison.Ordinal)) events.Add(FromEventEntity(row));
            else if (row.RowKey.StartsWith(CardPrefix, StringComparison.Ordinal)) cards.Add(row);
        }
        return state is null ? null : (FromStateEntity(state, events, cards), state.ETag, state.GetInt32("Version") ?? 1);
    }

    // An insert, not an upsert: the first card stored stays the ticket's card. Two cards can be posted for one request
    // (an instance killed after showing its card, the redelivery on another instance showing one too, each storing its
    // id), and every change is passed on to the card stored when it is made; a write that lands later (the killed
    // instance's, still in flight) must not swap in a card that those changes never reached (bench/Chaos soak9: #4676
    // resolved, its stored card never updated). A write that finds a card already stored (or its own, retried) is done.
    public async Task RememberCardAsync(int number, TicketCardRole role, PostedCard card, CancellationToken ct)
    {
        try
        {
            await (await ticketsTable.GetAsync(ct)).AddEntityAsync(new TableEntity(NumberKey(number), CardRowKey(role))
            {
                ["ServiceUrl"] = card.ServiceUrl,
                ["ConversationId"] = card.ConversationId,
                ["ActivityId"] = card.ActivityId,
            }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }
    }

    static string CardRowKey(TicketCardRole role) => CardPrefix + role.ToString().ToLowerInvariant();

    public Task<IReadOnlyList<TicketSummary>> ListByRequesterAsync(string requesterTeamsId, CancellationToken ct) =>
        ListIndexAsync(RequesterPartition(requesterTeamsId), ct);

    public Task<IReadOnlyList<TicketSummary>> ListOpenAsync(CancellationToken ct) => ListIndexAsync(OpenPartition, ct);

    public Task<IReadOnlyList<TicketSummary>> ListByAssigneeAsync(string assigneeTeamsId, CancellationToken ct) =>
        ListIndexAsync(AssigneePartition(assigneeTeamsId), ct);

    async Task<IReadOnlyList<TicketSummary>> ListIndexAsync(string partition, CancellationToken ct)
    {
        var index = await indexTable.GetAsync(ct);
        var rows = new List<TicketSummary>();
        await foreach (var row in index.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct))
            rows.Add(FromSummaryEntity(row));
        return rows; // the row keys already give the order
    }

    public async IAsyncEnumerable<Ticket> ExportAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var table = await ticketsTable.GetAsync(ct);
        // Rows come in key order: a ticket's "card~" and "event-" rows, then its "ticket" row.
        var events = new List<TicketEvent>();
        var cards = new List<TableEntity>();
        string? partition = null;
        await foreach (var row in table.QueryAsync<TableEntity>(cancellationToken: ct))
        {
            if (row.PartitionKey == CounterPartition) continue;
            if (row.PartitionKey != partition)
            {
                partition = row.PartitionKey;
                events.Clear();
                cards.Clear();
            }
            if (row.RowKey.StartsWith(EventPrefix, StringComparison.Ordinal)) events.Add(FromEventEntity(row));
            else if (row.RowKey.StartsWith(CardPrefix, StringComparison.Ordinal)) cards.Add(row);
            else if (row.RowKey == StateRow) yield return FromStateEntity(row, [.. events], cards);
        }
    }

    // The index rows a ticket should have, written after the ticket itself; rows the previous state had and this
    // one does not are removed. Two changes' projections can land out of order (found by bench/Chaos: a slow "assigned"
    // landed over "waiting for you", and the requester's answer became a new ticket), so whoever writes last checks the
    // ticket's version afterwards and projects the newer state over its own.
    async Task ProjectAsync(Ticket? before, Ticket after, int version, CancellationToken ct, bool recheck = true)
    {
        var index = await indexTable.GetAsync(ct);
        var tickets = await ticketsTable.GetAsync(ct);
        for (var round = 1; ; round++)
        {
            var wanted = IndexRows(after).ToList();
            var stale = before is null ? [] : IndexRows(before).Select(r => (r.PartitionKey, r.RowKey))
                .Except(wanted.Select(r => (r.PartitionKey, r.RowKey))).ToList();
            // A closed ticket never keeps a queue row, whatever an earlier, interrupted write left behind.
            if (!after.IsOpen && !stale.Contains((OpenPartition, OpenRowKey(after))))
                stale.Add((OpenPartition, OpenRowKey(after)));
            await Task.WhenAll(
                wanted.Select(row => (Task)index.UpsertEntityAsync(row, TableUpdateMode.Replace, ct))
                    .Concat(stale.Select(key => DeleteIfExistsAsync(index, key.PartitionKey, key.RowKey, ct))));

            if (!recheck) return;
            var current = await tickets.GetEntityIfExistsAsync<TableEntity>(NumberKey(after.Number), StateRow, ["Version"], ct);
            if (round == MaxProjections || !current.HasValue || (current.Value!.GetInt32("Version") ?? 1) <= version
                || await ReadAsync(tickets, after.Number, ct) is not (var newer, _, var newerVersion))
                return;
            (before, after, version) = (after, newer, newerVersion);
        }
    }

    static async Task DeleteIfExistsAsync(TableClient table, string partition, string row, CancellationToken ct)
    {
        try { await table.DeleteEntityAsync(partition, row, ETag.All, ct); }
        catch (RequestFailedException ex) when (ex.Status == 404) { }
    }

    IEnumerable<TableEntity> IndexRows(Ticket t)
    {
        var summary = TicketSummary.Of(t);
        yield return ToSummaryEntity(RequesterPartition(t.Requester.TeamsId), Inverted(t.Number), summary);
        if (t.IsOpen)
            yield return ToSummaryEntity(OpenPartition, OpenRowKey(t), summary);
        if (t.Assignee is { } assignee)
            yield return ToSummaryEntity(AssigneePartition(assignee.TeamsId), Inverted(t.Number), summary);
    }

    static string OpenRowKey(Ticket t) =>
        $"{(t.Urgency == Urgency.Emergency ? 0 : 1)}-{t.FirstResponseDueAt.UtcTicks:D19}-{NumberKey(t.Number)}";

    static string RequesterPartition(string teamsId) => "requester~" + LazyTable.Key(teamsId);
    static string AssigneePartition(string teamsId) => "assignee~" + LazyTable.Key(teamsId);
    static string NumberKey(int number) => number.ToString("D10");
    static string Inverted(int number) => (int.MaxValue - number).ToString("D10");

    static TableEntity ToStateEntity(Ticket t, int version)
    {
        var entity = new TableEntity(NumberKey(t.Number), StateRow)
        {
            ["Version"] = version,
            ["Status"] = t.Status.ToString(),
            ["Urgency"] = t.Urgency.ToString(),
            ["RequesterId"] = t.Requester.TeamsId,
            ["CreatedAt"] = t.CreatedAt,
            // The problem on its own property (up to 4,000 characters); everything else as one JSON document.
            ["Problem"] = t.Problem,
            ["State"] = JsonSerializer.Serialize(t with { Problem = "", History = [] }, Json),
        };
        // A copy of the event rows written in the same transaction, while it fits a string property (64 KiB of UTF-16).
        var history = JsonSerializer.Serialize(t.History, Json);
        if (history.Length <= MaxHistoryChars) entity[HistoryProperty] = history;
        return entity;
    }

    // A card row, when there is one, is where that card is now (the state row keeps where it was first posted, if then).
    static Ticket FromStateEntity(TableEntity e, IReadOnlyList<TicketEvent> events, IReadOnlyList<TableEntity> cards)
    {
        var t = JsonSerializer.Deserialize<Ticket>(e.GetString("State")!, Json)!;
        return t with
        {
            Problem = e.GetString("Problem") ?? "",
            History = [.. events.OrderBy(x => x.Seq)],
            RequesterCard = CardFrom(cards, TicketCardRole.Requester) ?? t.RequesterCard,
            TechnicianCard = CardFrom(cards, TicketCardRole.Technician) ?? t.TechnicianCard,
        };
    }

    static PostedCard? CardFrom(IReadOnlyList<TableEntity> cards, TicketCardRole role) =>
        cards.FirstOrDefault(c => c.RowKey == CardRowKey(role)) is { } row && row.GetString("ConversationId") is { } conversation && row.GetString("ActivityId") is { } activity
            ? new PostedCard(row.GetString("ServiceUrl"), conversation, activity)
            : null;

    static TableEntity ToEventEntity(int number, TicketEvent e) => new(NumberKey(number), $"{EventPrefix}{e.Seq:D6}")
    {
        ["At"] = e.At,
        ["ById"] = e.ById,
        ["ByName"] = e.ByName,
        ["Kind"] = e.Kind.ToString(),
        ["Summary"] = e.Summary,
        ["Text"] = e.Text,
        ["ChangeId"] = e.ChangeId,
    };

    static TicketEvent FromEventEntity(TableEntity e) => new(
        int.Parse(e.RowKey[EventPrefix.Length..]),
        e.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
        e.GetString("ById") ?? "",
        e.GetString("ByName"),
        Enum.TryParse<TicketEventKind>(e.GetString("Kind"), out var kind) ? kind : TicketEventKind.StatusChanged,
        e.GetString("Summary") ?? "",
        e.GetString("Text"),
        e.GetString("ChangeId"));

    static TableEntity ToSummaryEntity(string partition, string row, TicketSummary s) => new(partition, row)
    {
        ["Summary"] = JsonSerializer.Serialize(s, Json),
    };

    static TicketSummary FromSummaryEntity(TableEntity e) => JsonSerializer.Deserialize<TicketSummary>(e.GetString("Summary")!, Json)!;
}
