using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Knowledge;

// Card data for a walkthrough step: which suggestion, and which step the card showed (so a replayed or double press
// of "Done, next" is recognised and advances once).
public sealed record WalkthroughStepData(string SuggestionId, int Step);

// Step: the step the requester is on, 1-based. RequesterId is copied from the suggestion it started from.
public sealed record WalkthroughState(string SuggestionId, string RequesterId, string ArticleId, int Step, int StepCount)
{
    public bool OnLastStep => Step >= StepCount;
}

// What a ticket carries from a walkthrough, so the technician starts where the requester stopped.
public sealed record StepsTried(string ArticleId, string ArticleTitle, int Reached, int StepCount)
{
    public string Describe() => (Reached <= 1 ? "step 1" : $"steps 1-{Reached}") + $" of '{ArticleTitle}'";
}

// One walkthrough per suggestion, in Table Storage (partition "walkthrough", row key the suggestion id), so any
// instance can take the next press. Advancing names the step the card showed and is ETag-guarded: of two presses
// of one card (a double click, a replay, two instances at once) only one moves the walkthrough on.
public sealed class WalkthroughStore(TableServiceClient tables)
{
    const string Partition = "walkthrough";
    readonly LazyTable table = new(tables, "KnowledgeWalkthroughs");

    // A second start (the suggestion card pressed again, or a replay) returns the walkthrough already under way.
    public async Task<WalkthroughState> StartAsync(string suggestionId, string requesterId, string articleId, int stepCount, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var entity = new TableEntity(Partition, LazyTable.Key(suggestionId))
        {
            ["RequesterId"] = requesterId,
            ["ArticleId"] = articleId,
            ["Step"] = 1,
            ["StepCount"] = stepCount,
        };
        try
        {
            await t.AddEntityAsync(entity, ct);
            return ToState(suggestionId, entity);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return (await GetAsync(suggestionId, ct))!;
        }
    }

    public async Task<WalkthroughState?> GetAsync(string suggestionId, CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>(Partition, LazyTable.Key(suggestionId), cancellationToken: ct);
        return found.HasValue ? ToState(suggestionId, found.Value!) : null;
    }

    // From the step the card showed to the next one. A card that is not on the current step (pressed twice, replayed,
    // or an old copy) and the last step change nothing: the answer is where the walkthrough is now.
    public async Task<WalkthroughState?> AdvanceAsync(string suggestionId, int fromStep, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        while (true)
        {
            var found = await t.GetEntityIfExistsAsync<TableEntity>(Partition, LazyTable.Key(suggestionId), cancellationToken: ct);
            if (!found.HasValue) return null;
            var state = ToState(suggestionId, found.Value!);
            if (state.Step != fromStep || state.OnLastStep) return state;
            try
            {
                await t.UpdateEntityAsync(new TableEntity(Partition, LazyTable.Key(suggestionId)) { ["Step"] = fromStep + 1 }, found.Value!.ETag, TableUpdateMode.Merge, ct);
                return state with { Step = fromStep + 1 };
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // another press moved it first: read where it is now (no longer fromStep, so this press changes nothing)
            }
        }
    }

    static WalkthroughState ToState(string suggestionId, TableEntity e) => new(
        suggestionId,
        e.GetString("RequesterId") ?? "",
        e.GetString("ArticleId") ?? "",
        e.GetInt32("Step") ?? 1,
        e.GetInt32("StepCount") ?? 1);
}
