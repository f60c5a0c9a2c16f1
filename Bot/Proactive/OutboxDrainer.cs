using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Protocol;

namespace SupportBot.Proactive;

// Sends what the outbox holds. One drainer at a time per conversation (an ETag-guarded lease on its "state" row),
// so with several instances each message goes out once, in order; a crashed instance's lease simply expires.
public sealed class OutboxDrainer(
    Outbox outbox, ConnectorClient connector, IEnumerable<IOutboxSentHandler> sentHandlers, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxDrainer> logger)
    : BackgroundService
{
    static readonly HashSet<HttpStatusCode> Transient =
    [
        HttpStatusCode.TooManyRequests, HttpStatusCode.PreconditionFailed,
        HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout,
    ];

    readonly string owner = $"{Environment.MachineName}/{Guid.NewGuid():N}";
    readonly ConcurrentDictionary<string, Task> active = new();
    readonly ConcurrentDictionary<string, SlidingWindowLimiter> conversationLimiters = new();
    readonly SlidingWindowLimiter global = new(options.Value.ResolvedGlobalLimits, clock);
    // Sends the Connector accepted whose outcome could not be recorded (storage down past the lease): when this instance
    // drains the conversation again, it records them instead of sending them a second time.
    readonly ConcurrentDictionary<string, (PostedMessage Posted, DateTimeOffset At)> deliveredUnrecorded = new();
    bool storageFailing;
    // The conversation the last poll had no slot for: the next poll starts there (only the drainer's loop touches it).
    string? resumePollAt;

    OutboxOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextSweep = clock.GetUtcNow();
        var nextPoll = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = outbox.WakeTask;
            try
            {
                if (clock.GetUtcNow() >= nextSweep)
                {
                    // Scheduled first, and soon again if it fails: a failing sweep must not keep the poll below from running.
                    nextSweep = clock.GetUtcNow() + TimeSpan.FromSeconds(30);
                    await SweepAsync(stoppingToken);
                    nextSweep = clock.GetUtcNow() + Options.SweepInterval;
                }
                if (clock.GetUtcNow() >= nextPoll)
                {
                    // Every ready marker, whoever wrote it (another instance, a drain that stopped): it finds this
                    // instance's own enqueues too.
                    nextPoll = clock.GetUtcNow() + Options.PollInterval;
                    while (outbox.TryTakeEnqueued(out _)) { }
                    await PollAsync(stoppingToken);
                }
                else
                    while (outbox.TryTakeEnqueued(out var partition) && StartDrain(partition, null, stoppingToken)) { }
                if (storageFailing) logger.LogInformation("Outbox: storage is reachable again");
                storageFailing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Storage down (or anything else): keep polling, never stop the host, and say so once per outage, not every second.
                if (!storageFailing) logger.LogWarning(ex, "Outbox: cannot read the outbox; retrying every {Interval}", Options.PollInterval);
                storageFailing = true;
            }
            var untilPoll = nextPoll - clock.GetUtcNow();
            await Task.WhenAny(woken, Task.Delay(untilPoll > TimeSpan.Zero ? untilPoll : TimeSpan.Zero, clock, stoppingToken));
            foreach (var (key, limiter) in conversationLimiters)
                if (limiter.Idle && !active.ContainsKey(key)) conversationLimiters.TryRemove(key, out _);
            // Recorded by another instance meanwhile (its lease came first), so never met here again.
            foreach (var (key, delivered) in deliveredUnrecorded)
                if (clock.GetUtcNow() - delivered.At > TimeSpan.FromHours(1)) deliveredUnrecorded.TryRemove(key, out _);
        }
        // Each drain finishes the message in flight and releases its lease, so a successor starts at once.
        await Task.WhenAll(active.Values);
    }

    // With every drain slot taken, the poll stops and the next one goes on from the conversation it could not start.
    // Starting from the first key every time, as it did, left conversations whose keys sort late waiting while earlier
    // ones kept the slots busy (bench/Chaos soak: satisfaction polls minutes late under load).
    async Task PollAsync(CancellationToken ct)
    {
        var ready = await outbox.Ready.GetAsync(ct);
        var waiting = new List<TableEntity>();
        await foreach (var marker in ready.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Outbox.ReadyPartition}"),
            select: ["RowKey"], cancellationToken: ct))
            waiting.Add(marker);
        var first = resumePollAt is { } resume ? waiting.FindIndex(marker => string.CompareOrdinal(marker.RowKey, resume) >= 0) : 0;
        if (first < 0) first = 0;
        resumePollAt = null;
        for (var i = 0; i < waiting.Count; i++)
        {
            var marker = waiting[(first + i) % waiting.Count];
            if (!StartDrain(marker.RowKey, marker.ETag, ct))
            {
                resumePollAt = marker.RowKey;
                return;
            }
        }
    }

    // Drains the conversation in the background unless it is being drained already. False: no room for another.
    // marker: the ETag the conversation's ready marker was last seen with, if known.
    bool StartDrain(string partition, ETag? marker, CancellationToken ct)
    {
        if (active.ContainsKey(partition)) return true;
        if (active.Count >= Options.MaxConcurrentConversations) return false;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!active.TryAdd(partition, done.Task)) return true;
        _ = Task.Run(async () =>
        {
            try
            {
                await DrainAsync(partition, marker, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Outbox: draining conversation {Conversation} failed; it is retried on the next poll", partition);
            }
            finally
            {
                active.TryRemove(partition, out _);
                done.SetResult();
            }
        }, CancellationToken.None);
        return true;
    }

    // The backstop for an enqueue that stopped between writing its message and its ready marker; also forgets old outcomes.
    async Task SweepAsync(CancellationToken ct)
    {
        var table = await outbox.Messages.GetAsync(ct);
        var ready = await outbox.Ready.GetAsync(ct);
        var partitions = new HashSet<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey ge {Outbox.MessagePrefix} and RowKey lt {Outbox.MessageEnd}"), select: ["PartitionKey"], cancellationToken: ct))
            partitions.Add(row.PartitionKey);
        foreach (var partition in partitions)
            await ready.UpsertEntityAsync(new TableEntity(Outbox.ReadyPartition, partition) { ["At"] = clock.GetUtcNow() }, TableUpdateMode.Replace, ct);

        // After-sent hooks that a crash or a failure left undone.
        await foreach (var sent in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey ge {Outbox.DedupePrefix} and RowKey lt {Outbox.DedupeEnd} and AfterSentPending eq true"), cancellationToken: ct))
            if (sent.GetString("AfterSent") is { } handler && sent.GetString("PostedActivityId") is { } id)
                await RunAfterSentAsync(table, sent.PartitionKey, sent.RowKey, handler, sent.GetString("AfterSentData") ?? "",
                    new PostedMessage(sent.GetString("ServiceUrl"), sent.GetString("PostedConversationId") ?? "", id));

        var cutoff = clock.GetUtcNow() - Options.KeepOutcomesFor;
        await foreach (var outcome in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey ge {Outbox.DedupePrefix} and RowKey lt {Outbox.DedupeEnd} and CompletedAt lt {cutoff}"),
            select: ["PartitionKey", "RowKey"], cancellationToken: ct))
        {
            try { await table.DeleteEntityAsync(outcome.PartitionKey, outcome.RowKey, outcome.ETag, ct); }
            catch (RequestFailedException ex) when (Outbox.IsConflict(ex)) { }
        }
    }

    async Task DrainAsync(string partition, ETag? knownMarker, CancellationToken stop)
    {
        var table = await outbox.Messages.GetAsync(stop);
        var ready = await outbox.Ready.GetAsync(stop);
        if (await AcquireAsync(table, partition, stop) is not { } lease) return;
        DateTimeOffset? notBefore = null;
        var dropped = 0;
        // The version each updated message last showed, by its row, read once a drain (see Outbox.EnqueueUpdateAsync).
        var shownVersions = new Dictionary<string, long?>(StringComparer.Ordinal);
        try
        {
            var limiter = conversationLimiters.GetOrAdd(partition, _ => new SlidingWindowLimiter(Options.ResolvedConversationLimits, clock));
            while (!stop.IsCancellationRequested)
            {
                // Marker first, then the messages: deleting the marker with this ETag fails if anything was enqueued since.
                // The ETag this instance's last enqueue or the poll saw is older still, so just as safe, and saves a
                // round trip a drain.
                var marker = outbox.TakeMarker(partition) ?? knownMarker ?? await MarkerAsync(ready, partition, stop);
                knownMarker = null;
                var batch = await ReadBatchAsync(table, partition, stop);
                if (batch.Count == 0)
                {
                    await DeleteMarkerAsync(ready, partition, marker);
                    return;
                }

                var requeued = false;
                for (var i = 0; i < batch.Count; i++)
                {
                    if (stop.IsCancellationRequested) return;
                    var item = batch[i];
                    if (lease.GetBoolean("Blocked") == true)
                    {
                        await CompleteAsync(table, item, OutboxState.Blocked, null, "The user blocked the bot (MessageWritesBlocked).");
                        dropped++;
                        continue;
                    }
                    if (IsSuperseded(batch, i))
                    {
                        await CompleteAsync(table, item, OutboxState.Coalesced, null, null);
                        continue;
                    }
                    if (item.GetString("SentDedupeKey") is { } sentKey)
                    {
                        var sent = await table.GetEntityIfExistsAsync<TableEntity>(partition, Outbox.DedupeRow(sentKey), cancellationToken: stop);
                        var state = sent.HasValue ? sent.Value!.GetString("State") : null;
                        if (state == nameof(OutboxState.Pending))
                        {
                            // Enqueued before its send (another instance's clock): behind it, then.
                            await RequeueAsync(table, item);
                            requeued = true;
                            continue;
                        }
                        if (state != nameof(OutboxState.Sent) || sent.Value!.GetString("PostedActivityId") is not { } postedId)
                        {
                            logger.LogDebug("Outbox: {DedupeKey} updates {SentKey}, which was never sent; dropped", item.GetString("DedupeKey"), sentKey);
                            await CompleteAsync(table, item, OutboxState.Failed, null, "The message to update was never sent.");
                            continue;
                        }
                        item["ActivityId"] = postedId;
                        item["ConversationId"] = sent.Value.GetString("PostedConversationId") ?? item.GetString("ConversationId");
                        item["ServiceUrl"] ??= sent.Value.GetString("ServiceUrl");
                    }
                    // An update older than what its message already shows (queued late, from a ticket read before a
                    // newer change that was shown since) would take the message back: dropped.
                    TableEntity? shownRow = null;
                    if (item.GetString("Kind") == "update" && item.GetInt64("Version") is { } version && item.GetString("ActivityId") is { Length: > 0 } updated)
                    {
                        var shown = await ShownVersionAsync(table, partition, updated, shownVersions, stop);
                        if (shown > version)
                        {
                            logger.LogDebug("Outbox: {DedupeKey} (version {Version}) is older than what its message shows (version {Shown}); dropped",
                                item.GetString("DedupeKey"), version, shown);
                            await CompleteAsync(table, item, OutboxState.Coalesced, null, null);
                            continue;
                        }
                        shownRow = new TableEntity(partition, Outbox.ShownRow(updated)) { ["Version"] = Math.Max(version, shown ?? version) };
                    }
                    await limiter.WaitAsync(reserve: false, stop);
                    await global.WaitAsync(reserve: true, stop);
                    // After the waits, which can outlast the lease (60 per 30 s): never send on a lease another instance took.
                    if (!await RenewIfDueAsync(table, lease, stop)) return;
                    var deliveredKey = partition + "\n" + item.GetString("DedupeKey");
                    if (deliveredUnrecorded.TryGetValue(deliveredKey, out var earlier))
                    {
                        logger.LogInformation("Outbox: {DedupeKey} was delivered before its outcome could be stored; storing it now, not sending it again",
                            item.GetString("DedupeKey"));
                        await CompleteAsync(table, item, OutboxState.Sent, earlier.Posted, null, lease, shownRow);
                        Shown(shownRow, shownVersions);
                        deliveredUnrecorded.TryRemove(deliveredKey, out _);
                        if (item.GetString("AfterSent") is { } earlierHandler)
                            await RunAfterSentAsync(table, item.PartitionKey, Outbox.DedupeRow(item.GetString("DedupeKey")!), earlierHandler, item.GetString("AfterSentData") ?? "", earlier.Posted);
                        continue;
                    }
                    PostedMessage posted;
                    try
                    {
                        // Not cancelled by shutdown: a send cut off mid-flight may have been posted and would go out again.
                        posted = await DeliverAsync(item, CancellationToken.None);
                    }
                    catch (ConnectorException ex) when (ex.IsBlockedByUser)
                    {
                        limiter.Record();
                        logger.LogWarning("Outbox: conversation {Conversation} blocked the bot (403 MessageWritesBlocked); dropping its pending messages", partition);
                        lease["Blocked"] = true;
                        lease["BlockedAt"] = clock.GetUtcNow();
                        await UpdateLeaseAsync(table, lease, CancellationToken.None);
                        i--;
                        continue;
                    }
                    catch (Exception ex) when (IsTransient(ex))
                    {
                        limiter.Record();
                        if (await RescheduleAsync(table, item, ex) is { } at)
                        {
                            notBefore = at;
                            return;
                        }
                        continue;
                    }
                    catch (Exception ex)
                    {
                        limiter.Record();
                        logger.LogError(ex, "Outbox: {Kind} {DedupeKey} to {Conversation} failed and is dropped", item.GetString("Kind"), item.GetString("DedupeKey"), partition);
                        await CompleteAsync(table, item, OutboxState.Failed, null, ex.Message);
                        continue;
                    }
                    limiter.Record();
                    deliveredUnrecorded[deliveredKey] = (posted, clock.GetUtcNow());
                    await CompleteAsync(table, item, OutboxState.Sent, posted, null, lease, shownRow);
                    Shown(shownRow, shownVersions);
                    deliveredUnrecorded.TryRemove(deliveredKey, out _);
                    if (item.GetString("AfterSent") is { } handler)
                        await RunAfterSentAsync(table, item.PartitionKey, Outbox.DedupeRow(item.GetString("DedupeKey")!), handler, item.GetString("AfterSentData") ?? "", posted);
                }
                // A short batch, all of it settled, was everything there was when the marker was read: done, without
                // reading the marker and the queue once more to find them empty (two round trips a drain). Anything
                // enqueued since changed the marker, so deleting it with the ETag read first fails and it stays.
                if (batch.Count < Options.BatchSize && !requeued)
                {
                    await DeleteMarkerAsync(ready, partition, marker);
                    return;
                }
            }
        }
        finally
        {
            if (dropped > 0) logger.LogWarning("Outbox: dropped {Count} message(s) to blocked conversation {Conversation}", dropped, partition);
            await ReleaseAsync(table, lease, notBefore);
        }
    }

    static async Task<ETag?> MarkerAsync(TableClient ready, string partition, CancellationToken ct)
    {
        var found = await ready.GetEntityIfExistsAsync<TableEntity>(Outbox.ReadyPartition, partition, select: ["RowKey"], cancellationToken: ct);
        return found.HasValue ? found.Value!.ETag : null;
    }

    static async Task DeleteMarkerAsync(TableClient ready, string partition, ETag? marker)
    {
        if (marker is not { } etag) return;
        try { await ready.DeleteEntityAsync(Outbox.ReadyPartition, partition, etag, CancellationToken.None); }
        catch (RequestFailedException ex) when (Outbox.IsConflict(ex)) { }
    }

    async Task<TableEntity?> AcquireAsync(TableClient table, string partition, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = clock.GetUtcNow();
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, Outbox.StateRow, cancellationToken: ct);
            if (!found.HasValue)
            {
                var fresh = new TableEntity(partition, Outbox.StateRow) { ["LeaseOwner"] = owner, ["LeaseUntil"] = now + Options.LeaseDuration };
                try
                {
                    var added = await table.AddEntityAsync(fresh, ct);
                    fresh.ETag = added.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
                    return fresh;
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    continue;
                }
            }
            var state = found.Value!;
            if (state.GetString("LeaseOwner") is { } holder && holder != owner && state.GetDateTimeOffset("LeaseUntil") > now) return null;
            if (state.GetDateTimeOffset("NotBefore") > now && state.GetBoolean("Blocked") != true) return null;
            state["LeaseOwner"] = owner;
            state["LeaseUntil"] = now + Options.LeaseDuration;
            try
            {
                await UpdateLeaseAsync(table, state, ct);
                return state;
            }
            catch (RequestFailedException ex) when (Outbox.IsConflict(ex))
            {
                return null;
            }
        }
        return null;
    }

    async Task UpdateLeaseAsync(TableClient table, TableEntity lease, CancellationToken ct)
    {
        var updated = await table.UpdateEntityAsync(lease, lease.ETag, TableUpdateMode.Replace, ct);
        lease.ETag = updated.Headers.ETag ?? throw new InvalidOperationException("The table service returned no ETag.");
    }

    async Task<bool> RenewIfDueAsync(TableClient table, TableEntity lease, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (lease.GetDateTimeOffset("LeaseUntil") - now > Options.LeaseDuration / 2) return true;
        lease["LeaseUntil"] = now + Options.LeaseDuration;
        try
        {
            await UpdateLeaseAsync(table, lease, ct);
            return true;
        }
        catch (RequestFailedException ex) when (Outbox.IsConflict(ex))
        {
            logger.LogWarning("Outbox: lost the lease on {Conversation}; another instance continues", lease.PartitionKey);
            return false;
        }
    }

    async Task ReleaseAsync(TableClient table, TableEntity lease, DateTimeOffset? notBefore)
    {
        lease["LeaseOwner"] = null;
        lease["LeaseUntil"] = clock.GetUtcNow();
        if (notBefore is not null) lease["NotBefore"] = notBefore;
        try
        {
            await UpdateLeaseAsync(table, lease, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException)
        {
            // The lease expires by itself; a backoff lost here only means an earlier retry.
            logger.LogDebug(ex, "Outbox: could not release the lease on {Conversation}", lease.PartitionKey);
        }
    }

    async Task<List<TableEntity>> ReadBatchAsync(TableClient table, string partition, CancellationToken ct)
    {
        var batch = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {Outbox.MessagePrefix} and RowKey lt {Outbox.MessageEnd}"),
            maxPerPage: Options.BatchSize, cancellationToken: ct))
        {
            batch.Add(row);
            if (batch.Count >= Options.BatchSize) break;
        }
        return batch;
    }

    // Another update of the same message in this batch makes this one moot: only the latest card matters. The latest is
    // the newest version (an update queued late from an older read comes after the newer one), else the last queued.
    static bool IsSuperseded(List<TableEntity> batch, int index)
    {
        var item = batch[index];
        if (item.GetString("Kind") != "update") return false;
        var version = item.GetInt64("Version");
        for (var j = 0; j < batch.Count; j++)
        {
            var other = batch[j];
            if (j == index || other.GetString("Kind") != "update" || UpdatedMessage(other) != UpdatedMessage(item)
                || other.GetString("ConversationId") != item.GetString("ConversationId"))
                continue;
            if (version is { } mine && other.GetInt64("Version") is { } theirs ? theirs > mine || (theirs == mine && j > index) : j > index)
                return true;
        }
        return false;
    }

    static async Task<long?> ShownVersionAsync(TableClient table, string partition, string activityId, Dictionary<string, long?> known, CancellationToken ct)
    {
        var row = Outbox.ShownRow(activityId);
        if (known.TryGetValue(row, out var version)) return version;
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, row, select: ["Version"], cancellationToken: ct);
        return known[row] = found.HasValue ? found.Value!.GetInt64("Version") : null;
    }

    static void Shown(TableEntity? shownRow, Dictionary<string, long?> known)
    {
        if (shownRow is not null)
            known[shownRow.RowKey] = shownRow.GetInt64("Version");
    }

    static string? UpdatedMessage(TableEntity update) =>
        update.GetString("SentDedupeKey") is { } sentKey ? "sent:" + sentKey : update.GetString("ActivityId");

    async Task<PostedMessage> DeliverAsync(TableEntity item, CancellationToken ct)
    {
        var activity = Outbox.ReadBody(item);
        var serviceUrl = item.GetString("ServiceUrl");
        var conversationId = item.GetString("ConversationId");
        if (item.GetString("Kind") == "update")
        {
            var activityId = item.GetString("ActivityId")!;
            await connector.UpdateActivityAsync(serviceUrl, conversationId!, activityId,
                activity with { Type = activity.Type ?? ActivityTypes.Message, Conversation = new ConversationAccount { Id = conversationId } }, ct);
            return new PostedMessage(serviceUrl, conversationId!, activityId);
        }
        if (string.IsNullOrEmpty(conversationId))
        {
            var reference = JsonSerializer.Deserialize<ConversationReference>(item.GetString("Reference")!, Outbox.Json)!;
            var created = await connector.CreateConversationAsync(serviceUrl, new ConversationParameters
            {
                IsGroup = false,
                Bot = reference.Bot,
                Members = [new ChannelAccount { Id = reference.User!.Id }],
                TenantId = reference.TenantId,
                ChannelData = new TeamsChannelData { Tenant = new TenantInfo(reference.TenantId) },
            }, ct);
            conversationId = created.Id ?? throw new InvalidOperationException("The channel did not return a conversation id.");
        }
        var sent = await connector.SendToConversationAsync(serviceUrl, conversationId, activity with { Type = activity.Type ?? ActivityTypes.Message }, ct);
        return new PostedMessage(serviceUrl, conversationId, sent?.Id ?? "");
    }

    static bool IsTransient(Exception ex) => ex switch
    {
        ConnectorException c => Transient.Contains(c.Status),
        // Transport failures and timeouts (the send is never cancelled by us, so a cancellation is a timeout).
        HttpRequestException or OperationCanceledException => true,
        _ => false,
    };

    // The HttpClient's own retries gave up: keep the message and the conversation's order, and try again later.
    async Task<DateTimeOffset?> RescheduleAsync(TableClient table, TableEntity item, Exception ex)
    {
        var now = clock.GetUtcNow();
        var attempts = (item.GetInt32("Attempts") ?? 0) + 1;
        if (now - (item.GetDateTimeOffset("EnqueuedAt") ?? now) > Options.GiveUpAfter)
        {
            logger.LogError(ex, "Outbox: {DedupeKey} to {Conversation} undelivered after {Attempts} attempts over {GiveUp}; dropped",
                item.GetString("DedupeKey"), item.PartitionKey, attempts, Options.GiveUpAfter);
            await CompleteAsync(table, item, OutboxState.Failed, null, ex.Message);
            return null;
        }
        var backoff = Options.RetryBaseDelay * Math.Pow(2, Math.Min(attempts - 1, 20)) * (0.8 + 0.4 * Random.Shared.NextDouble());
        if (backoff > Options.RetryMaxDelay) backoff = Options.RetryMaxDelay;
        if (ex is ConnectorException { RetryAfter: { } retryAfter } && retryAfter > backoff) backoff = retryAfter;
        logger.LogWarning("Outbox: {DedupeKey} to {Conversation} failed ({Error}); attempt {Attempts}, retrying in {Delay}",
            item.GetString("DedupeKey"), item.PartitionKey, ex.Message, attempts, backoff);
        item["Attempts"] = attempts;
        item["LastError"] = Truncate(ex.Message);
        await table.UpdateEntityAsync(item, item.ETag, TableUpdateMode.Merge, CancellationToken.None);
        return now + backoff;
    }

    // The outcome row says a hook is pending until it has run once without throwing.
    async Task RunAfterSentAsync(TableClient table, string partition, string dedupeRow, string name, string data, PostedMessage posted)
    {
        if (sentHandlers.FirstOrDefault(h => h.Name == name) is not { } handler)
        {
            logger.LogWarning("Outbox: no after-sent handler {Handler}; left for an instance that has one", name);
            return;
        }
        try
        {
            await handler.OnSentAsync(data, posted, CancellationToken.None);
            // Update, not upsert: an outcome the cleanup removed meanwhile stays removed.
            await table.UpdateEntityAsync(new TableEntity(partition, dedupeRow) { ["AfterSentPending"] = false }, ETag.All, TableUpdateMode.Merge, CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Outbox: after-sent handler {Handler} failed; the sweep retries it", name);
        }
    }

    // Moves a message to the end of its conversation's queue (same partition: one transaction).
    async Task RequeueAsync(TableClient table, TableEntity item)
    {
        var moved = new TableEntity(item) { PartitionKey = item.PartitionKey, RowKey = Outbox.NewMessageRow(clock.GetUtcNow()) };
        moved.Remove("odata.etag");
        moved.Remove("Timestamp");
        try
        {
            await table.SubmitTransactionAsync(
            [
                new(TableTransactionActionType.Delete, item, item.ETag),
                new(TableTransactionActionType.Add, moved),
                new(TableTransactionActionType.UpsertMerge, new TableEntity(item.PartitionKey, Outbox.DedupeRow(item.GetString("DedupeKey")!)) { ["MessageRow"] = moved.RowKey }),
            ], CancellationToken.None);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            logger.LogDebug("Outbox: {DedupeKey} was moved already", item.GetString("DedupeKey"));
        }
    }

    // lease: while this drainer holds it, no other instance can send the message again, so a Sent outcome is retried
    // for as long as the lease can be kept (see KeepRecordingAsync).
    // shown: for a delivered update, the version its message shows now (written with the outcome).
    async Task CompleteAsync(TableClient table, TableEntity item, OutboxState state, PostedMessage? posted, string? error, TableEntity? lease = null,
        TableEntity? shown = null)
    {
        var giveUpAt = clock.GetUtcNow() + Options.LeaseDuration * 5;
        var afterSent = state == OutboxState.Sent ? item.GetString("AfterSent") : null;
        var dedupe = new TableEntity(item.PartitionKey, Outbox.DedupeRow(item.GetString("DedupeKey")!))
        {
            ["State"] = state.ToString(),
            ["PostedActivityId"] = posted is { ActivityId.Length: > 0 } ? posted.ActivityId : null,
            ["PostedConversationId"] = posted?.ConversationId,
            ["Error"] = error is null ? null : Truncate(error),
            ["CompletedAt"] = clock.GetUtcNow(),
        };
        if (afterSent is not null)
        {
            dedupe["AfterSent"] = afterSent;
            dedupe["AfterSentData"] = item.GetString("AfterSentData");
            dedupe["AfterSentPending"] = true;
        }
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // One transaction: the message leaves the queue exactly when its outcome is recorded.
                List<TableTransactionAction> actions =
                [
                    new(TableTransactionActionType.Delete, item, item.ETag),
                    new(TableTransactionActionType.UpsertMerge, dedupe),
                ];
                if (shown is not null)
                {
                    // CompletedAt: forgotten by the sweep with the outcomes.
                    shown["CompletedAt"] = dedupe["CompletedAt"];
                    actions.Add(new(TableTransactionActionType.UpsertReplace, shown));
                }
                await table.SubmitTransactionAsync(actions, CancellationToken.None);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
            {
                // This transaction retried after it committed, or the message was completed elsewhere.
                logger.LogDebug("Outbox: {DedupeKey} was already completed", item.GetString("DedupeKey"));
                return;
            }
            // Storage.TableStorage.IsFailure: once the SDK's own retries run out on a refused connection it throws an
            // AggregateException, which the earlier RequestFailedException-only filter let through on the first attempt.
            catch (Exception ex) when (Storage.TableStorage.IsFailure(ex) || ex is HttpRequestException)
            {
                // Already sent: a record lost here means the message goes out again, so try harder than the SDK does.
                if (attempt >= 6 && !await KeepRecordingAsync(table, lease, ex, giveUpAt)) throw;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * attempt, 2000)), clock, CancellationToken.None);
            }
        }
    }

    // Whether to go on retrying a delivered message's outcome: while storage fails transiently, the lease is renewed as
    // it falls due, so no other instance takes the conversation and sends the message again. Giving up at the lease's
    // first end, as this did, let the other instance send it twice when Azurite was saturated: transactions timed out
    // for 50 s while single-row writes such as a lease's went through (bench/Chaos soak, chaos-u95).
    async Task<bool> KeepRecordingAsync(TableClient table, TableEntity? lease, Exception failure, DateTimeOffset giveUpAt)
    {
        if (lease is null || clock.GetUtcNow() >= giveUpAt) return false;
        // Refused for what it is (a 4xx other than throttling), not for storage being busy: retrying cannot help.
        if (failure is RequestFailedException { Status: >= 400 and < 500 and not 408 and not 429 }) return false;
        var leaseUntil = lease.GetDateTimeOffset("LeaseUntil") ?? clock.GetUtcNow();
        try
        {
            return await RenewIfDueAsync(table, lease, CancellationToken.None);
        }
        catch (Exception ex) when (Storage.TableStorage.IsFailure(ex) || ex is HttpRequestException)
        {
            // Not renewed this time: the lease still holds for a while (RenewIfDueAsync left LeaseUntil moved on only
            // in memory, so go by the end read before).
            lease["LeaseUntil"] = leaseUntil;
            return clock.GetUtcNow() < leaseUntil - Options.LeaseDuration / 10;
        }
    }

    static string Truncate(string text) => text.Length <= 1000 ? text : text[..1000];
}
