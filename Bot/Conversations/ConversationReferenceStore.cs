using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SupportBot.Protocol;

namespace SupportBot.Conversations;

// Where the bot can reach each user later: a proactive message needs the reference from an earlier activity.
public sealed class ConversationReferenceStore(TableServiceClient tables)
{
    const string TableName = "ConversationReferences";
    TableClient? table;

    public async Task SaveAsync(ConversationReference reference, CancellationToken ct)
    {
        var userKey = reference.User?.AadObjectId ?? reference.User?.Id
            ?? throw new ArgumentException("The reference has no user.", nameof(reference));
        var entity = new TableEntity(reference.TenantId ?? "none", Key(userKey))
        {
            ["Reference"] = JsonSerializer.Serialize(reference, ProtocolJson.Options),
        };
        await (await TableAsync(ct)).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }

    public async Task<ConversationReference?> FindAsync(string? tenantId, string userKey, CancellationToken ct)
    {
        var found = await (await TableAsync(ct)).GetEntityIfExistsAsync<TableEntity>(tenantId ?? "none", Key(userKey), cancellationToken: ct);
        return found.HasValue && found.Value!.GetString("Reference") is { } json
            ? JsonSerializer.Deserialize<ConversationReference>(json, ProtocolJson.Options)
            : null;
    }

    async Task<TableClient> TableAsync(CancellationToken ct)
    {
        if (table is not null) return table;
        var client = tables.GetTableClient(TableName);
        await client.CreateIfNotExistsAsync(ct);
        return table = client;
    }

    // Row keys may not contain / \ # ? or control characters; Teams ids can contain some of them.
    static string Key(string id) => Uri.EscapeDataString(id).Replace("%", "~");
}
