using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Knowledge;

// Shown: suggestion cards that offered the article; Read: of those, the ones on which the requester opened its steps
// ("Show steps" or "Walk me through it"); Fixed: "This fixed it" on it. "I still need help" is the suggestion's, not
// any one article's, so it is not here (see CountStillNeedHelpAsync).
public sealed record ArticleStats(string ArticleId, long Shown, long Read, long Fixed)
{
    // A "this fixed it" is a ticket that never had to be filed.
    public long Deflections => Fixed;
}

public enum VoteOutcome { Counted, AlreadyAnswered, NotFound, NotYours, NotOffered }

// Request and Offered: what the user originally asked and which articles the card offered, as the bot stored them
// (never as the card claims them); left out for NotFound and NotYours.
// PreviousAnswer, for AlreadyAnswered: the article that fixed it, or "" for "I still need help".
// Ticket: the emergency ticket already filed for the request, when the suggestion was offered while it waits.
public sealed record VoteResult(VoteOutcome Outcome, string? Request = null, IReadOnlyList<string>? Offered = null, string? PreviousAnswer = null, int? Ticket = null)
{
    public IReadOnlyList<string> Offered { get; init; } = Offered ?? [];
}

// Outcome: null while unanswered, the article that fixed it, or "" for "I still need help".
public sealed record SuggestionRecord(string RequesterId, IReadOnlyList<string> ArticleIds, string Request, string? Outcome, int? Ticket = null);

// Suggestions shown, and what came of them. The suggestion (who was shown which articles) is kept here, not trusted
// from the card, so a click only counts when it comes from the person it was shown to, for an article it offered,
// and only once per card.
//
// Shown is read from the suggestion rows themselves (each names the articles its card offered), so recording a
// suggestion is one insert. The other counts are append-only: one row per counted event, partition "{read|fixed}~{article}"
// or, for "I still need help", "needhelp~{suggestion}" (one per suggestion, however many articles it offered), row key the
// suggestion id, summed on read. A suggestion's own row is partition "suggestion~{id}": one partition per suggestion, not
// one for all, which Azure would serve from one server and Azurite searches row by row on every insert and read
// (bench/Chaos: the largest partitions of the soak). Rows an older build wrote ("suggestion" and "needhelp" partitions,
// the same row keys) are still read.
// Recording is a plain insert that never waits for another turn (one counter row per article made 100 simultaneous
// cards queue for seconds), and a replay writes the same key again, so 409 means "already counted". The once-per-card
// answer is an ETag-guarded field on the suggestion row; it cannot share a transaction with its counts (those have
// partitions of their own), so every later sight of an answered suggestion re-adds its count rows: a count lost
// between the two writes comes back on the next click or replay, and is never doubled.
public sealed class ArticleFeedbackStore(TableServiceClient tables, ILogger<ArticleFeedbackStore>? logger = null)
{
    const string Suggestions = "suggestion";
    const string Read = "read";
    const string Fixed = "fixed";
    const string StillNeedHelp = "needhelp";
    // Escaped keys use only A-Z a-z 0-9 - . _ ~, and '~' sorts last: "{name}" up to "{name}" + DEL spans the old
    // partition "{name}" and every "{name}~{key}" (and would span any other partition named "{name}..." too: there is none).
    const char AfterKeys = '\u007f';
    static readonly string[] Counters = [Read, Fixed];
    readonly LazyTable table = new(tables, "KnowledgeFeedback");

    // ticket: the emergency ticket already filed for the request, when the articles are offered while it waits.
    public async Task RecordSuggestionAsync(string suggestionId, string requesterId, IReadOnlyList<string> articleIds, string request, CancellationToken ct, int? ticket = null)
    {
        var t = await table.GetAsync(ct);
        var entity = new TableEntity(Partition(Suggestions, suggestionId), LazyTable.Key(suggestionId))
        {
            ["RequesterId"] = requesterId,
            ["ArticleIds"] = string.Join('\n', articleIds),
            ["Request"] = request,
            ["Ticket"] = ticket,
        };
        try
        {
            await t.AddEntityAsync(entity, ct);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // A replayed message: the articles stored the first time are the ones counted as shown.
        }
    }

    // The requester opened an article's steps on the card: counted once per suggestion and article, however often
    // pressed or replayed. Not counted on a suggestion already answered (an old copy of the card).
    public async Task<VoteResult> RecordReadAsync(string suggestionId, string clickerId, string articleId, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        if (await FindAsync(t, suggestionId, ct) is not { } found) return new(VoteOutcome.NotFound);
        var suggestion = ToRecord(found);
        if (suggestion.RequesterId != clickerId) return new(VoteOutcome.NotYours);
        if (!suggestion.ArticleIds.Contains(articleId)) return new(VoteOutcome.NotOffered, suggestion.Request, suggestion.ArticleIds);
        if (suggestion.Outcome is { } previous) return new(VoteOutcome.AlreadyAnswered, suggestion.Request, suggestion.ArticleIds, previous);
        await CountAsync(t, [(Partition(Read, articleId), articleId)], suggestionId, ct);
        return new(VoteOutcome.Counted, suggestion.Request, suggestion.ArticleIds, Ticket: suggestion.Ticket);
    }

    // Suggestions answered "I still need help" (each once, whatever it offered).
    public async Task<long> CountStillNeedHelpAsync(CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var counted = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in t.QueryAsync<TableEntity>(AllOf(StillNeedHelp), maxPerPage: 1000, select: ["RowKey"], cancellationToken: ct))
            counted.Add(row.RowKey);
        return counted.Count;
    }

    public async Task<SuggestionRecord?> GetSuggestionAsync(string suggestionId, CancellationToken ct)
    {
        return await FindAsync(await table.GetAsync(ct), suggestionId, ct) is { } found ? ToRecord(found) : null;
    }

    // fixedBy: the article that fixed it, or null for "I still need help".
    public async Task<VoteResult> RecordOutcomeAsync(string suggestionId, string clickerId, string? fixedBy, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            if (await FindAsync(t, suggestionId, ct) is not { } found) return new(VoteOutcome.NotFound);
            var suggestion = ToRecord(found);
            if (suggestion.RequesterId != clickerId) return new(VoteOutcome.NotYours);
            if (fixedBy is not null && !suggestion.ArticleIds.Contains(fixedBy)) return new(VoteOutcome.NotOffered, suggestion.Request, suggestion.ArticleIds);
            if (suggestion.Outcome is { } previous)
            {
                await CountOutcomeAsync(t, suggestionId, previous, ct);
                return new(VoteOutcome.AlreadyAnswered, suggestion.Request, suggestion.ArticleIds, previous, suggestion.Ticket);
            }

            var outcome = fixedBy ?? "";
            try
            {
                await t.UpdateEntityAsync(new TableEntity(found.PartitionKey, found.RowKey) { ["Outcome"] = outcome }, found.ETag, TableUpdateMode.Merge, ct);
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 3)
            {
                continue; // a simultaneous click answered first: read what it said
            }
            await CountOutcomeAsync(t, suggestionId, outcome, ct);
            return new(VoteOutcome.Counted, suggestion.Request, suggestion.ArticleIds, Ticket: suggestion.Ticket);
        }
    }

    public async Task<ArticleStats> GetAsync(string articleId, CancellationToken ct) =>
        (await GetAllAsync(ct)).FirstOrDefault(stats => stats.ArticleId == articleId) ?? new ArticleStats(articleId, 0, 0, 0);

    // Every article with any count, in ordinal order of id: one pass over the suggestions (their article ids) and one
    // over the read and fixed rows (ids only).
    public async Task<IReadOnlyList<ArticleStats>> GetAllAsync(CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var shown = new Dictionary<string, long>(StringComparer.Ordinal);
        var suggestions = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var e in t.QueryAsync<TableEntity>(AllOf(Suggestions), maxPerPage: 1000, select: ["RowKey", "ArticleIds"], cancellationToken: ct))
            if (suggestions.Add(e.RowKey))
                foreach (var id in (e.GetString("ArticleIds") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).Distinct())
                    shown[id] = shown.GetValueOrDefault(id) + 1;
        var perCounter = await Task.WhenAll(Counters.Select(async counter =>
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {counter + "~"} and PartitionKey lt {counter + AfterKeys}");
            var counts = new Dictionary<string, long>(StringComparer.Ordinal);
            await foreach (var e in t.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["ArticleId"], cancellationToken: ct))
                if (e.GetString("ArticleId") is { } id)
                    counts[id] = counts.GetValueOrDefault(id) + 1;
            return counts;
        }));
        return shown.Keys.Concat(perCounter.SelectMany(c => c.Keys)).Distinct().Order(StringComparer.Ordinal)
            .Select(id => new ArticleStats(id, shown.GetValueOrDefault(id), perCounter[0].GetValueOrDefault(id), perCounter[1].GetValueOrDefault(id)))
            .ToList();
    }

    // Every "This fixed it" counted on or after since, with when it was counted.
    public async Task<IReadOnlyList<(string ArticleId, DateTimeOffset At)>> ListFixedAsync(DateTimeOffset since, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Fixed + "~"} and PartitionKey lt {Fixed + AfterKeys} and Timestamp ge {since}");
        var found = new List<(string, DateTimeOffset)>();
        await foreach (var e in t.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["ArticleId", "Timestamp"], cancellationToken: ct))
            if (e.GetString("ArticleId") is { } id && e.Timestamp is { } at)
                found.Add((id, at));
        return found;
    }

    Task CountOutcomeAsync(TableClient t, string suggestionId, string outcome, CancellationToken ct) =>
        outcome == ""
            ? CountAsync(t, [(Partition(StillNeedHelp, suggestionId), null)], suggestionId, ct)
            : CountAsync(t, [(Partition(Fixed, outcome), outcome)], suggestionId, ct);

    // One insert per partition, all at once. A count that cannot be written is logged, not thrown: the turn goes on, and
    // the next replay of the same event writes it.
    async Task CountAsync(TableClient t, IEnumerable<(string Partition, string? ArticleId)> counts, string suggestionId, CancellationToken ct)
    {
        try
        {
            await Task.WhenAll(counts.Select(async count =>
            {
                try
                {
                    var row = new TableEntity(count.Partition, LazyTable.Key(suggestionId));
                    if (count.ArticleId is { } id) row["ArticleId"] = id;
                    await t.AddEntityAsync(row, ct);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // already counted
                }
            }));
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            logger?.LogWarning(ex, "Could not count feedback for suggestion {SuggestionId}; it will be counted if the event is replayed", suggestionId);
        }
    }

    static string Partition(string kind, string id) => $"{kind}~{LazyTable.Key(id)}";

    // Every row of one kind: the old single partition and the partitions of one each.
    static string AllOf(string kind) => TableClient.CreateQueryFilter($"PartitionKey ge {kind} and PartitionKey lt {kind + AfterKeys}");

    // Every suggestion row, whichever build wrote it (the retention purge clears their words).
    internal static string AllSuggestions => AllOf(Suggestions);

    // Where an older build wrote it, if it did, else where this build writes it: both at once. The older row wins, since
    // a replay of its message reaching this build writes a new row without its answer.
    static async Task<TableEntity?> FindAsync(TableClient t, string suggestionId, CancellationToken ct)
    {
        var key = LazyTable.Key(suggestionId);
        var older = t.GetEntityIfExistsAsync<TableEntity>(Suggestions, key, cancellationToken: ct);
        var found = t.GetEntityIfExistsAsync<TableEntity>(Partition(Suggestions, suggestionId), key, cancellationToken: ct);
        await Task.WhenAll(older, found);
        return older.Result.HasValue ? older.Result.Value : found.Result.HasValue ? found.Result.Value : null;
    }

    static SuggestionRecord ToRecord(TableEntity e) => new(
        e.GetString("RequesterId") ?? "",
        (e.GetString("ArticleIds") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries),
        e.GetString("Request") ?? "",
        e.GetString("Outcome"),
        e.GetInt32("Ticket"));
}
