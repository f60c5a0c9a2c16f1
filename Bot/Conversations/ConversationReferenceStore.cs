using System.Collections.Concurrent;
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
    // Only what this instance last wrote, to skip identical writes; storage stays the source of truth.
    readonly ConcurrentDictionary<string, (string Json, DateTimeOffset At)> lastSaved = new();

    public async Task SaveAsync(ConversationReference reference, CancellationToken ct)
    {
        var userKey = reference.User?.Id ?? throw new ArgumentException("The reference has no user.", nameof(reference));
        var json = JsonSerializer.Serialize(reference with { ActivityId = null }, ProtocolJson.Options);
        var key = $"{reference.TenantId}|{userKey}";
        var now = clock.GetUtcNow();
        if (lastSaved.TryGetValue(key, out var previous) && previous.Json == json && now - previous.At < RefreshEvery) return;
        var entity = new TableEntity(LazyTable.Key(reference.TenantId ?? "none"), LazyTable.Key(userKey)) { ["Reference"] = json };
        await (await table.GetAsync(ct)).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
        lastSaved[key] = (json, now);
    }

    public async Task<ConversationReference?> FindAsync(string? tenantId, string userId, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(LazyTable.Key(tenantId ?? "none"), LazyTable.Key(userId), cancellationToken: ct);
        return found.HasValue ? JsonSerializer.Deserialize<ConversationReference>(found.Value!.GetString("Reference")!, ProtocolJson.Options) : null;
    }
}
