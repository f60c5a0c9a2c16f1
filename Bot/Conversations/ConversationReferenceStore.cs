using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using SupportBot.Storage;
using SupportBot.Protocol;

namespace SupportBot.Conversations;

// Where the bot can reach each user later: a proactive message needs the reference from an earlier activity.
// Refreshed from every activity, because a user may never trigger an install event.
public sealed class ConversationReferenceStore(TableServiceClient tables, TimeProvider clock)
{
    // An unchanged reference is still re-written this often, so its Timestamp says the user was seen lately:
    // the retention purge (Privacy/RetentionPurge) deletes references not refreshed within Retention:KeepFor.
    public static readonly TimeSpan RefreshEvery = TimeSpan.FromDays(1);
    const string TableName = "ConversationReferences";
    readonly LazyTable table = new(tables, TableName);
    // Users whose last write is remembered here (the most recently written): forgetting one costs one identical write.
    public const int DefaultCapacity = 10_000;
    // Only what this instance last wrote, to skip identical writes; storage stays the source of truth. A digest of the
    // reference, not its JSON, and at most Capacity users: it held every user ever seen, JSON and all, for the life of
    // the process (about 1.5 KB each).
    readonly ConcurrentDictionary<string, (UInt128 Digest, DateTimeOffset At)> lastSaved = new();
    readonly Lock trimming = new();

    internal int Capacity { get; init; } = DefaultCapacity;
    internal int Remembered => lastSaved.Count;

    public async Task SaveAsync(ConversationReference reference, CancellationToken ct)
    {
        var userKey = reference.User?.Id ?? throw new ArgumentException("The reference has no user.", nameof(reference));
        var json = JsonSerializer.Serialize(reference with { ActivityId = null }, ProtocolJson.Options);
        var key = $"{reference.TenantId}|{userKey}";
        var digest = Digest(json);
        var now = clock.GetUtcNow();
        if (lastSaved.TryGetValue(key, out var previous) && previous.Digest == digest && now - previous.At < RefreshEvery) return;
        var entity = new TableEntity(LazyTable.Key(reference.TenantId ?? "none"), LazyTable.Key(userKey)) { ["Reference"] = json };
        await (await table.GetAsync(ct)).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        lastSaved[key] = (digest, now);
        if (lastSaved.Count > Capacity) Trim(now);
    }

    static UInt128 Digest(string json)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(json), hash);
        return BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    // Past Capacity: forget what is due a refresh anyway, then the least recently written, down to nine tenths of it (so
    // a sort runs once per tenth of Capacity new users, not on every one).
    void Trim(DateTimeOffset now)
    {
        lock (trimming)
        {
            if (lastSaved.Count <= Capacity) return;
            foreach (var (key, saved) in lastSaved)
                if (now - saved.At >= RefreshEvery) lastSaved.TryRemove(key, out _);
            var excess = lastSaved.Count - Capacity * 9 / 10;
            if (excess <= 0) return;
            foreach (var (key, _) in lastSaved.ToArray().OrderBy(e => e.Value.At).Take(excess))
                lastSaved.TryRemove(key, out _);
        }
    }

    public async Task<ConversationReference?> FindAsync(string? tenantId, string userId, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(LazyTable.Key(tenantId ?? "none"), LazyTable.Key(userId), cancellationToken: ct);
        return found.HasValue ? JsonSerializer.Deserialize<ConversationReference>(found.Value!.GetString("Reference")!, ProtocolJson.Options) : null;
    }
}
