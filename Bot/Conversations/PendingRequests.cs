using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Conversations;

public sealed record PendingRequest(string Key, string RequesterId, string Text, bool? AnsweredEmergency);

// A request waiting for the answer to the one-click "is this stopping work right now?" question. The card names
// only the key; what was asked and by whom stay here. The first answer is kept, so a second click follows it.
public sealed class PendingRequestStore(TableServiceClient tables)
{
    const string Row = "request";
    readonly LazyTable table = new(tables, "PendingRequests");

    public async Task SaveAsync(string key, string requesterId, string text, CancellationToken ct)
    {
        var entity = new TableEntity(LazyTable.Key(key), Row) { ["RequesterId"] = requesterId, ["Text"] = text };
        try
        {
            await (await table.GetAsync(ct)).AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A replayed message: the question was already asked.
        }
    }

    // The request as first answered: the stored answer wins over a later, different click. Only its requester may answer.
    public async Task<PendingRequest?> AnswerAsync(string key, string clickerId, bool emergency, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var found = await t.GetEntityIfExistsAsync<TableEntity>(LazyTable.Key(key), Row, cancellationToken: ct);
            if (!found.HasValue) return null;
            var e = found.Value!;
            if (e.GetString("RequesterId") != clickerId)
                return new PendingRequest(key, e.GetString("RequesterId")!, "", null);
            if (e.GetBoolean("Emergency") is { } answered)
                return new PendingRequest(key, e.GetString("RequesterId")!, e.GetString("Text")!, answered);
            e["Emergency"] = emergency;
            try
            {
                await t.UpdateEntityAsync(e, e.ETag, TableUpdateMode.Merge, ct);
                return new PendingRequest(key, e.GetString("RequesterId")!, e.GetString("Text")!, emergency);
            }
            catch (RequestFailedException ex) when (ex.Status == 412) { }
        }
        return null;
    }

    public async Task<PendingRequest?> FindAsync(string key, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(LazyTable.Key(key), Row, cancellationToken: ct);
        return found.HasValue ? new PendingRequest(key, found.Value!.GetString("RequesterId")!, found.Value.GetString("Text")!, found.Value.GetBoolean("Emergency")) : null;
    }
}

public static class RequestKeys
{
    // A request is its first activity: the same activity delivered again is the same request. The sender is part of
    // the key, so in a shared chat nobody can reach another person's request by naming its activity id.
    public static string For(Protocol.Activity activity, string? activityId) =>
        $"{activity.Conversation?.Id}|{activity.From?.Id}|{(string.IsNullOrEmpty(activityId) ? Guid.NewGuid().ToString("N") : activityId)}";
}
