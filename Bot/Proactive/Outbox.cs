using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SupportBot.Protocol;
using SupportBot.Storage;

namespace SupportBot.Proactive;

// A message the bot posted: keep it to update the message in place.
public sealed record PostedMessage(string? ServiceUrl, string ConversationId, string ActivityId);

// Where a proactive message goes: a conversation the bot is in, or (a reference without a conversation id) a new 1:1 chat.
public sealed record OutboxTarget(string? ServiceUrl, string? ConversationId, ConversationReference? Reference = null)
{
    public static implicit operator OutboxTarget(ConversationReference reference) =>
        new(reference.ServiceUrl, reference.Conversation?.Id, reference);

    public static implicit operator OutboxTarget(PostedMessage posted) => new(posted.ServiceUrl, posted.ConversationId);

    // One partition per conversation: its messages in order, its dedupe rows, its lease.
    internal string PartitionKey => ConversationId is { Length: > 0 } id
        ? LazyTable.Key(id)
        // "!" is always escaped by Key, so a user key can never equal a conversation key.
        : "user!" + LazyTable.Key(Reference?.User?.Id ?? throw new ArgumentException("The target has neither a conversation nor a user."));
}

public enum OutboxState { Pending, Sent, Coalesced, Blocked, Failed }

// Run by the drainer once a send is delivered (for example: store the posted message id on the ticket). Recorded with
// the outcome before it runs and retried by the sweep until it succeeds, so it must be idempotent.
public sealed record AfterSent(string Handler, string Data);

public interface IOutboxSentHandler
{
    string Name { get; }
    Task OnSentAsync(string data, PostedMessage posted, CancellationToken ct);
}

// What became of an enqueued message; Posted is set once a send has its message id (keep it to update the message).
public sealed record OutboxStatus(OutboxState State, PostedMessage? Posted, string? Error);

// Layout (see docs/architecture.md):
//   Outbox       PK conversation key   RK "m-{ticks:D19}-{random}"  one pending send or update, in enqueue order
//                                      RK "d-{dedupe key}"          the dedupe row: written with the message in one
//                                                                   transaction; later its outcome and posted message id
//                                      RK "d-outbox-shown|{id}"     the version message {id} last showed (versioned updates)
//                                      RK "state"                   the drain lease (owner, until), NotBefore (backoff), Blocked
//   OutboxReady  PK "ready"            RK conversation key          a conversation that may have work (the drainers' index)
public sealed class Outbox(TableServiceClient tables, TimeProvider clock, ILogger<Outbox> logger)
{
    internal const string MessagePrefix = "m-";
    internal const string MessageEnd = "m.";
    internal const string DedupePrefix = "d-";
    internal const string DedupeEnd = "d.";
    internal const string StateRow = "state";
    internal const string ReadyPartition = "ready";
    const int ChunkChars = 30_000; // a string property holds 64 KB of UTF-16

    internal static readonly JsonSerializerOptions Json = new(ProtocolJson.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal readonly LazyTable Messages = new(tables, "Outbox");
    internal readonly LazyTable Ready = new(tables, "OutboxReady");
    static long lastTicks;
    TaskCompletionSource wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Conversations this instance just enqueued for: its drainer starts on them at once, without reading every ready
    // marker for each message (that read, on every enqueue, was the outbox's heaviest storage traffic in the soak).
    readonly ConcurrentQueue<string> enqueuedHere = new();
    // The ETag each conversation's ready marker got from this instance's last enqueue: a drain starting here takes it
    // instead of reading the marker (a round trip a drain). Bounded: a stale or missing one costs a read or a drain.
    readonly ConcurrentDictionary<string, ETag> markers = new();

    internal Task WakeTask => Volatile.Read(ref wake).Task;

    internal bool TryTakeEnqueued(out string partition) => enqueuedHere.TryDequeue(out partition!);

    internal ETag? TakeMarker(string partition) => markers.TryRemove(partition, out var etag) ? etag : null;

    public Task EnqueueSendAsync(OutboxTarget target, Activity message, string dedupeKey, CancellationToken ct, AfterSent? afterSent = null) =>
        EnqueueAsync(target, "send", null, message, dedupeKey, ct, afterSent: afterSent);

    // version: how new the content is (for a ticket's card, its latest change). An update older than one already shown,
    // or than another queued for the same message, is dropped, whatever order they were queued in: a card rendered
    // from a ticket read before a change and queued after it must not overwrite the newer card (bench/Chaos soak:
    // resolved tickets whose card went back to "New", "In progress" or "Waiting for you"). Null: the last queued wins.
    public Task EnqueueUpdateAsync(PostedMessage target, Activity replacement, string dedupeKey, CancellationToken ct, long? version = null) =>
        EnqueueAsync(target, "update", target.ActivityId, replacement, dedupeKey, ct, version: version);

    // An update of the message sent under sentDedupeKey to the same target, whose id is not known yet: resolved when
    // delivered. The send is in the same partition, so it is delivered first; an update of a send that failed is dropped.
    public Task EnqueueUpdateOfSentAsync(OutboxTarget target, string sentDedupeKey, Activity replacement, string dedupeKey, CancellationToken ct,
        long? version = null) =>
        EnqueueAsync(target, "update", null, replacement, dedupeKey, ct, sentDedupeKey, version: version);

    public async Task<OutboxStatus?> GetStatusAsync(OutboxTarget target, string dedupeKey, CancellationToken ct)
    {
        var table = await Messages.GetAsync(ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(target.PartitionKey, DedupeRow(dedupeKey), cancellationToken: ct);
        if (!found.HasValue) return null;
        var row = found.Value!;
        var state = Enum.TryParse<OutboxState>(row.GetString("State"), out var s) ? s : OutboxState.Pending;
        var posted = row.GetString("PostedActivityId") is { } id
            ? new PostedMessage(row.GetString("ServiceUrl"), row.GetString("PostedConversationId") ?? target.ConversationId ?? "", id)
            : null;
        return new OutboxStatus(state, posted, row.GetString("Error"));
    }

    // The user installed the bot again: their conversation takes messages again.
    public async Task UnblockAsync(OutboxTarget target, CancellationToken ct)
    {
        var table = await Messages.GetAsync(ct);
        await table.UpsertEntityAsync(new TableEntity(target.PartitionKey, StateRow) { ["Blocked"] = false }, TableUpdateMode.Merge, ct);
    }

    async Task EnqueueAsync(OutboxTarget target, string kind, string? activityId, Activity activity, string dedupeKey, CancellationToken ct,
        string? sentDedupeKey = null, AfterSent? afterSent = null, long? version = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupeKey);
        var partition = target.PartitionKey;
        var now = clock.GetUtcNow();
        var rowKey = NewMessageRow(now);
        var message = new TableEntity(partition, rowKey)
        {
            ["Kind"] = kind,
            ["DedupeKey"] = dedupeKey,
            ["ServiceUrl"] = target.ServiceUrl,
            ["ConversationId"] = target.ConversationId,
            ["ActivityId"] = activityId,
            ["SentDedupeKey"] = sentDedupeKey,
            ["AfterSent"] = afterSent?.Handler,
            ["AfterSentData"] = afterSent?.Data,
            ["Reference"] = target.Reference is null ? null : JsonSerializer.Serialize(target.Reference, Json),
            ["EnqueuedAt"] = now,
            ["Attempts"] = 0,
            ["Version"] = version,
        };
        var body = JsonSerializer.Serialize(activity, Json);
        for (var i = 0; i * ChunkChars < body.Length; i++)
            message[$"Body{i}"] = body.Substring(i * ChunkChars, Math.Min(ChunkChars, body.Length - i * ChunkChars));
        var dedupe = new TableEntity(partition, DedupeRow(dedupeKey))
        {
            ["State"] = nameof(OutboxState.Pending),
            ["MessageRow"] = rowKey,
            ["ServiceUrl"] = target.ServiceUrl,
            ["EnqueuedAt"] = now,
        };

        var table = await Messages.GetAsync(ct);
        try
        {
            await table.SubmitTransactionAsync([new(TableTransactionActionType.Add, dedupe), new(TableTransactionActionType.Add, message)], ct);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Enqueued before (a replay, a second instance, or this transaction retried after it committed): one message.
            logger.LogDebug("Outbox: {DedupeKey} is already enqueued", dedupeKey);
        }
        // After the message, so a drainer that deletes the marker it read (ETag-guarded) cannot strand this one.
        var ready = await Ready.GetAsync(ct);
        var marked = await ready.UpsertEntityAsync(new TableEntity(ReadyPartition, partition) { ["At"] = now }, TableUpdateMode.Replace, ct);
        if (marked.Headers.ETag is { } etag)
        {
            if (markers.Count >= 10_000) markers.Clear();
            markers[partition] = etag;
        }
        enqueuedHere.Enqueue(partition);
        Interlocked.Exchange(ref wake, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    internal static string NewMessageRow(DateTimeOffset now) =>
        $"{MessagePrefix}{NextTicks(now):D19}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";

    // The version of the content a message last showed (see EnqueueUpdateAsync): a row beside the outcomes, under their
    // prefix so that the sweep forgets it with them.
    internal static string ShownRow(string activityId) => DedupeRow("outbox-shown|" + activityId);

    internal static string DedupeRow(string dedupeKey)
    {
        var key = LazyTable.Key(dedupeKey);
        // Row keys stop at 1 KB; long keys become their hash.
        return DedupePrefix + (key.Length <= 200 ? key : "h!" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(dedupeKey))));
    }

    internal static Activity ReadBody(TableEntity message)
    {
        var body = new StringBuilder();
        for (var i = 0; message.GetString($"Body{i}") is { } part; i++) body.Append(part);
        return JsonSerializer.Deserialize<Activity>(body.ToString(), Json)!;
    }

    // Strictly increasing within this process, so one caller's messages keep their order even within a clock tick.
    static long NextTicks(DateTimeOffset now)
    {
        while (true)
        {
            var last = Interlocked.Read(ref lastTicks);
            var next = Math.Max(now.UtcTicks, last + 1);
            if (Interlocked.CompareExchange(ref lastTicks, next, last) == last) return next;
        }
    }

    internal static bool IsConflict(RequestFailedException ex) => ex.Status is 404 or 409 or 412;
}
