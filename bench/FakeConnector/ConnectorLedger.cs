using System.Collections.Concurrent;
using System.Text.Json;

namespace SupportBot.FakeConnector;

public enum CallKind { Reply, Send, Update, Delete, CreateConversation, GetMember, GetMembers, Other }

public sealed record CallRecord(
    long Seq, DateTimeOffset At, string Method, string Path, CallKind Kind,
    string? ConversationId, string? ActivityId, int Status, string? ReturnedId, JsonElement? Body);

public sealed record Counts(
    long Total, long Replies, long Sends, long Updates, long Deletes, long CreateConversations, long MemberReads,
    long Throttled429, long Unavailable503, long RepliedActivities, long Share429Ppm, long Share503Ppm);

// Counters and (when asked) records of every call. Thread-safe, lock-free on the counting path.
public sealed class ConnectorLedger
{
    long total, replies, sends, updates, deletes, creates, memberReads, throttled, unavailable, faultable, seq;
    readonly ConcurrentDictionary<string, int> repliedTo = new(StringComparer.Ordinal);
    readonly List<CallRecord> records = [];
    readonly Lock recordLock = new();
    StreamWriter? recordFile;

    public ConnectorLedger(FakeConnectorOptions options)
    {
        Options = options;
        if (options.RecordFile is { Length: > 0 } path)
            recordFile = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    // Swappable at run time (POST /_fake/config), so a test can turn faults on and off.
    public FakeConnectorOptions Options { get; set; }

    public long NextSeq() => Interlocked.Increment(ref seq);

    // Decides whether this faultable call is answered 429 or 503 instead: call n faults when n * share crosses an integer.
    public int? Fault()
    {
        var o = Options;
        if (o.Share429 <= 0 && o.Share503 <= 0) return null;
        var n = Interlocked.Increment(ref faultable);
        // One draw for both: the faulted calls are split between 503 and 429 in proportion. (Two separate draws let 429
        // take every call 503 would have had whenever one share divides the other: 20% and 5% gave no 503 at all.)
        var both = Math.Min(1, o.Share429 + o.Share503);
        if (!Crosses(n, both)) return null;
        var k = (long)(n * both);
        if (Crosses(k, o.Share503 / both)) { Interlocked.Increment(ref unavailable); return 503; }
        Interlocked.Increment(ref throttled);
        return 429;
    }

    static bool Crosses(long n, double share) => share > 0 && (long)(n * share) > (long)((n - 1) * share);

    public void Count(CallKind kind, string? conversationId, string? activityId)
    {
        Interlocked.Increment(ref total);
        switch (kind)
        {
            case CallKind.Reply:
                Interlocked.Increment(ref replies);
                repliedTo.AddOrUpdate(conversationId + "\n" + activityId, 1, static (_, n) => n + 1);
                break;
            case CallKind.Send: Interlocked.Increment(ref sends); break;
            case CallKind.Update: Interlocked.Increment(ref updates); break;
            case CallKind.Delete: Interlocked.Increment(ref deletes); break;
            case CallKind.CreateConversation: Interlocked.Increment(ref creates); break;
            case CallKind.GetMember or CallKind.GetMembers: Interlocked.Increment(ref memberReads); break;
        }
    }

    // Raised for each record (with --record), outside the lock: a driver that needs the bot's answers as they arrive
    // (bench/Chaos) indexes them itself instead of re-reading every record.
    public event Action<CallRecord>? Recorded;

    public void Add(CallRecord record)
    {
        lock (recordLock)
        {
            records.Add(record);
            recordFile?.WriteLine(JsonSerializer.Serialize(record, FakeJson.Default.CallRecord));
        }
        Recorded?.Invoke(record);
    }

    public Counts Snapshot() => new(
        Volatile.Read(ref total), Volatile.Read(ref replies), Volatile.Read(ref sends), Volatile.Read(ref updates),
        Volatile.Read(ref deletes), Volatile.Read(ref creates), Volatile.Read(ref memberReads),
        Volatile.Read(ref throttled), Volatile.Read(ref unavailable), repliedTo.Count,
        (long)(Options.Share429 * 1_000_000), (long)(Options.Share503 * 1_000_000));

    // How many replies each replied-to activity got, as a histogram: {1: 990, 2: 10} means ten activities got two.
    public SortedDictionary<int, int> RepliesPerActivity()
    {
        var histogram = new SortedDictionary<int, int>();
        foreach (var n in repliedTo.Values)
            histogram[n] = histogram.GetValueOrDefault(n) + 1;
        return histogram;
    }

    public IReadOnlyList<CallRecord> Records(long since)
    {
        lock (recordLock) return records.Where(r => r.Seq > since).ToArray();
    }

    public void Reset()
    {
        lock (recordLock)
        {
            records.Clear();
            repliedTo.Clear();
            total = replies = sends = updates = deletes = creates = memberReads = throttled = unavailable = faultable = 0;
        }
    }
}
