using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;
using SupportBot.Protocol;

namespace SupportBot.Conversations;

// Where the bot can reach each user later: a proactive message needs the reference from an earlier activity.
public sealed class ConversationReferenceStore(TableServiceClient tables)
{
    const string TableName = "ConversationReferences";
    readonly LazyTable table = new(tables, TableName);

    public async Task SaveAsync(ConversationReference reference, CancellationToken ct)
    {
        var userKey = reference.User?.AadObjectId ?? reference.User?.Id
            ?? throw new ArgumentException("The reference has no user.", nameof(reference));
        var entity = new TableEntity(reference.TenantId ?? "none", LazyTable.Key(userKey))
        {
            ["Reference"] = JsonSerializer.Serialize(reference, ProtocolJson.Options),
        };
        await (await table.GetAsync(ct)).UpsertEntityAsync(entity, TableUpdateMode.Replace, ct);
    }
}
