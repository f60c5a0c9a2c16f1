using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Knowledge;

public sealed record ArticleStats(string ArticleId, long Views, long Fixed, long StillNeedHelp)
{
    // A "this fixed it" is a ticket that never had to be filed.
    public long Deflections => Fixed;
}

public enum VoteOutcome { Counted, AlreadyAnswered, NotFound, NotYours, NotOffered }

// Request: what the user originally asked, as the bot stored it (never as the card claims it).
public sealed record VoteResult(VoteOutcome Outcome, string? Request = null, IReadOnlyList<string>? Offered = null, string? PreviousAnswer = null)
{
    public IReadOnlyList<string> Offered { get; init; } = Offered ?? [];
}

// Suggestions shown, and what came of them. The suggestion (who was shown which articles) is kept here, not trusted
// from the card, so a click only counts when it comes from the person it was shown to, for an article it offered,
// and only once per card. Totals are one counter row per article, updated with optimistic concurrency.
public sealed class ArticleFeedbackStore(TableServiceClient tables)
{
    const string Totals = "totals";
    const string Suggestions = "suggestion";
    readonly LazyTable table = new(tables, "KnowledgeFeedback");

    public async Task RecordSuggestionAsync(string suggestionId, string requesterId, IReadOnlyList<string> articleIds, string request, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var entity = new TableEntity(Suggestions, LazyTable.Key(suggestionId))
        {
            ["RequesterId"] = requesterId,
            ["ArticleIds"] = string.Join('\n', articleIds),
            ["Request"] = request,
        };
        try
        {
            await t.AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return; // a replayed message: its views were counted the first time
        }
        foreach (var id in articleIds.Distinct())
            await IncrementAsync(id, "Views", ct);
    }

    // fixedBy: the article that fixed it, or null for "I still need help".
    public async Task<VoteResult> RecordOutcomeAsync(string suggestionId, string clickerId, string? fixedBy, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var found = await t.GetEntityIfExistsAsync<TableEntity>(Suggestions, LazyTable.Key(suggestionId), cancellationToken: ct);
        if (!found.HasValue) return new(VoteOutcome.NotFound);
        var suggestion = found.Value!;
        if (suggestion.GetString("RequesterId") != clickerId) return new(VoteOutcome.NotYours);
        var offered = (suggestion.GetString("ArticleIds") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var request = suggestion.GetString("Request");
        if (fixedBy is not null && !offered.Contains(fixedBy)) return new(VoteOutcome.NotOffered, request, offered);
        if (suggestion.GetString("Outcome") is { } previous) return new(VoteOutcome.AlreadyAnswered, request, offered, previous);

        suggestion["Outcome"] = fixedBy ?? "";
        try
        {
            await t.UpdateEntityAsync(suggestion, suggestion.ETag, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return new(VoteOutcome.AlreadyAnswered, request, offered); // a simultaneous second click
        }
        // Not atomic with the outcome above: if this fails the answer stands but one count is lost, never doubled.
        if (fixedBy is not null)
            await IncrementAsync(fixedBy, "Fixed", ct);
        else
            foreach (var id in offered)
                await IncrementAsync(id, "StillNeedHelp", ct);
        return new(VoteOutcome.Counted, request, offered);
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
        for (var attempt = 1; ; attempt++)
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
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < 20)
            {
                // Someone else counted at the same moment: wait a little, read again and retry.
                await Task.Delay(Random.Shared.Next(5, 20 * attempt), ct);
            }
        }
    }
}
