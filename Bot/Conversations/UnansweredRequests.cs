using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Conversations;

// A request as the bot tracks it until answered: the activity whose request key it uses, the message now asking for it
// (Asking: the same activity, or a later one typed again), and the row that says so.
// FirstSight: this turn wrote the row, so no turn of this activity has run before (rows stay until `purge`) and nothing
// can have been filed or added under its key yet.
// ShowAgain: Asking is a message typed again whose own turn has not answered yet, so the answer is shown even if an
// earlier turn posted it (that person never saw it); false for a redelivery of a turn that did answer.
public sealed record UnansweredRequest(string ActivityId, string Asking, string Partition, string Row, ETag ETag, bool FirstSight = false, bool ShowAgain = false);

// The requests a person sent in a conversation that the bot has not answered yet. A request is keyed by its first
// activity, so a turn cut off after it filed a ticket (the turn deadline, a storage blip, a Connector that would not take
// the reply) left a ticket the person was never shown, and "not saved, try again" invites them to type it again: a new
// activity, which would file a second ticket (bench/Chaos soak: 30 duplicates). The same text sent again by the same
// person while the earlier one is unanswered is the same request: it takes the earlier activity's key, and so finds
// whatever that turn filed, exactly as a redelivery of it would. Once answered, the row says so and the same words typed
// again are a new request; a "Try again" card still leads to its own request's key.
//
// A message taken for the earlier request is listed on the row (Repeats), so that a redelivery of it, even one arriving
// after the request was answered, is still that request and never starts a new one (bench/Chaos soak: the redelivery
// of a retype, answered meanwhile on the other instance, filed a second ticket).
// Two round trips per request (insert, then mark answered); the read only when the same words are already there, and a
// write more for a retype. The row is kept once answered rather than deleted, so an insert that succeeds proves the
// activity new (FirstSight) and the turn can skip looking for what an earlier delivery of it did.
// Layout: PendingRequests  PK "last~{conversation}|{person}" (escaped)  RK "unanswered~{hash of the text}"  ActivityId,
// At, Answered, AnsweredBy, Repeats (activity ids, space-separated). Rows stay until `purge` (they hold a hash, no words).
public sealed class UnansweredRequests(TableServiceClient tables, TimeProvider clock, ILogger<UnansweredRequests> logger)
{
    // How long a request stays "the one they are typing again": well past the minute the apology asks them to wait.
    public static readonly TimeSpan SameRequestWithin = TimeSpan.FromMinutes(15);
    // Retypes listed per request; a person typing the same words more often than this is not waiting for one answer.
    const int MaxRepeats = 30;
    readonly LazyTable table = new(tables, "PendingRequests");

    // The request this message is: an unanswered earlier one with the same words, or its own (activityId).
    // Redeliveries of one activity agree on it too, since it is written before anything is filed.
    public async Task<UnansweredRequest> ActivityForAsync(Protocol.Activity activity, string text, string activityId, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var partition = "last~" + LazyTable.Key($"{activity.Conversation?.Id}|{activity.From?.Id}");
        var row = "unanswered~" + Hash(text);
        var now = clock.GetUtcNow();
        var mine = new TableEntity(partition, row) { ["ActivityId"] = activityId, ["At"] = now };
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var added = await t.AddEntityAsync(mine, ct);
                return new UnansweredRequest(activityId, activityId, partition, row, added.Headers.ETag ?? ETag.All, FirstSight: true);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }
            var found = await t.GetEntityIfExistsAsync<TableEntity>(partition, row, cancellationToken: ct);
            if (!found.HasValue) continue;
            var earlier = found.Value!;
            var earlierId = earlier.GetString("ActivityId") ?? "";
            var repeats = (earlier.GetString("Repeats") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (earlierId == activityId)
                return new UnansweredRequest(earlierId, activityId, partition, row, earlier.ETag);
            if (repeats.Contains(activityId))
                return new UnansweredRequest(earlierId, activityId, partition, row, earlier.ETag,
                    ShowAgain: earlier.GetString("AnsweredBy") != activityId);
            try
            {
                if (earlierId.Length > 0 && earlier.GetBoolean("Answered") != true && now - (earlier.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue) < SameRequestWithin)
                {
                    logger.LogInformation("Activity {ActivityId} repeats request {Earlier}: handled as that request", activityId, earlierId);
                    var listed = new TableEntity(partition, row) { ["Repeats"] = string.Join(' ', repeats.Append(activityId).TakeLast(MaxRepeats)) };
                    var merged = await t.UpdateEntityAsync(listed, earlier.ETag, TableUpdateMode.Merge, ct);
                    return new UnansweredRequest(earlierId, activityId, partition, row, merged.Headers.ETag ?? ETag.All, ShowAgain: true);
                }
                // Answered, or long unanswered (its turn died): this message starts the request afresh.
                var replaced = await t.UpdateEntityAsync(mine, earlier.ETag, TableUpdateMode.Replace, ct);
                return new UnansweredRequest(activityId, activityId, partition, row, replaced.Headers.ETag ?? ETag.All);
            }
            catch (RequestFailedException ex) when (ex.Status is 404 or 412)
            {
                // Changed meanwhile (a redelivery, a retype, an answer): decide again on what is there now.
            }
        }
        return new UnansweredRequest(activityId, activityId, partition, row, ETag.All);
    }

    // The person has seen the answer: the next message, even with the same words, is a new request. Marked as soon as
    // the answer is shown, and not cut off by the turn's deadline (bench/Chaos soak: turns cut off between the two left
    // the request "unanswered", and the same words typed for a new problem minutes later were shown the old ticket).
    // Best effort: if this is lost, the same words typed again within the window show the same answer again, unless
    // the ticket it became is closed by then (see StartAfreshAsync).
    public async Task AnsweredAsync(UnansweredRequest request)
    {
        try
        {
            await (await table.GetAsync(CancellationToken.None)).UpdateEntityAsync(new TableEntity(request.Partition, request.Row)
            {
                ["Answered"] = true,
                ["AnsweredBy"] = request.Asking,
            }, request.ETag, TableUpdateMode.Merge, CancellationToken.None);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Answered by a redelivery meanwhile, or the row was started afresh by a later message: leave it.
        }
        catch (Exception ex) when (TableStorage.IsFailure(ex))
        {
            logger.LogWarning("Could not mark request {ActivityId} answered: {Error}", request.ActivityId, ex.GetBaseException().GetType().Name);
        }
    }

    // The earlier request these words repeat is over (its ticket resolved, closed or cancelled): this message is a new
    // request of its own, whatever the earlier turn left unmarked.
    public async Task<UnansweredRequest> StartAfreshAsync(UnansweredRequest request, CancellationToken ct)
    {
        var fresh = new TableEntity(request.Partition, request.Row) { ["ActivityId"] = request.Asking, ["At"] = clock.GetUtcNow() };
        var replaced = await (await table.GetAsync(ct)).UpsertEntityAsync(fresh, TableUpdateMode.Replace, ct);
        return new UnansweredRequest(request.Asking, request.Asking, request.Partition, request.Row, replaced.Headers.ETag ?? ETag.All);
    }

    // Only a hash is kept: the words themselves stay in the request's own rows.
    static string Hash(string text)
    {
        var normal = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normal)))[..32];
    }
}
