using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Knowledge;

public sealed record ArticleStats(string ArticleId, long Views, long Fixed, long StillNeedHelp)
{
    // A "this fixed it" is a ticket that never had to be filed.
    public long Deflections => Fixed;
}

// Views and votes per article. Each vote is recorded once per key (the activity id of the click), so a replayed
// click never counts twice; totals live in one counter row per article, updated with optimistic concurrency.
public sealed class ArticleFeedbackStore(TableServiceClient tables)
{
    const string TableName = "KnowledgeFeedback";
    const string Totals = "totals";
    readonly LazyTable table = new(tables, TableName);

    public async Task RecordViewsAsync(IEnumerable<string> articleIds, CancellationToken ct)
    {
        foreach (var id in articleIds.Distinct())
            await IncrementAsync(id, "Views", ct);
    }

    public async Task<bool> RecordVoteAsync(string articleId, bool fixedIt, string voteKey, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        try
        {
            await t.AddEntityAsync(new TableEntity($"vote|{LazyTable.Key(articleId)}", LazyTable.Key(voteKey)) { ["Fixed"] = fixedIt }, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
        await IncrementAsync(articleId, fixedIt ? "Fixed" : "StillNeedHelp", ct);
        return true;
    }

    public async Task<ArticleStats> GetAsync(string articleId, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(Totals, LazyTable.Key(articleId), cancellationToken: ct);
        var e = found.HasValue ? found.Value! : new TableEntity();
        return new ArticleStats(articleId, e.GetInt64("Views") ?? 0, e.GetInt64("Fixed") ?? 0, e.GetInt64("StillNeedHelp") ?? 0);
    }

    async Task IncrementAsync(string articleId, string counter, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        for (var attempt = 0; ; attempt++)
        {
            var found = await t.GetEntityIfExistsAsync<TableEntity>(Totals, LazyTable.Key(articleId), cancellationToken: ct);
            try
            {
                if (!found.HasValue)
                {
                    await t.AddEntityAsync(new TableEntity(Totals, LazyTable.Key(articleId)) { [counter] = 1L }, ct);
                    return;
                }
                var entity = found.Value!;
                entity[counter] = (entity.GetInt64(counter) ?? 0) + 1;
                await t.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 10)
            {
                // Someone else counted at the same moment: read again and retry.
            }
        }
    }


}
