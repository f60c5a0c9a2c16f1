using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using SupportBot.Storage;

namespace SupportBot.Conversations;

// The request a person sent last in a conversation, until the bot has answered it. A request is keyed by its first
// activity, so a turn cut off after it filed a ticket (the turn deadline, a storage blip, a Connector that would not take
// the reply) left a ticket the person was never shown, and "not saved, try again" invites them to type it again: a new
// activity, which would file a second ticket (bench/Chaos soak: 30 duplicates). The same text sent again by the same
// person while the earlier one is unanswered is the same request: it takes the earlier activity's key, and so finds
// whatever that turn filed, exactly as a redelivery of it would. Once answered, the same words typed again are a new
// request; a "Try again" card of any attempt at it still leads to it.
//
// Layout: PendingRequests  PK "last~{conversation}|{person}" (escaped)  RK "unanswered"  ActivityId, TextHash, At, Answered
public sealed class UnansweredRequests(TableServiceClient tables, TimeProvider clock, ILogger<UnansweredRequests> logger)
{
    // How long a request stays "the one they are typing again": well past the minute the apology asks them to wait.
    public static readonly TimeSpan SameRequestWithin = TimeSpan.FromMinutes(15);
    const string Row = "unanswered";
    readonly LazyTable table = new(tables, "PendingRequests");

    // The activity whose request key this message uses: the earlier activity of the same request, or its own.
    // fromRetryCard: the text and activity come from a "Try again" card, so it is that request even if answered since.
    // Redeliveries of one activity agree on it too, since it is written before anything is filed.
    public async Task<string> ActivityForAsync(Protocol.Activity activity, string text, string activityId, bool fromRetryCard, CancellationToken ct)
    {
        var t = await table.GetAsync(ct);
        var partition = Partition(activity);
        var hash = Hash(text);
        var found = await t.GetEntityIfExistsAsync<TableEntity>(partition, Row, cancellationToken: ct);
        if (found.HasValue && found.Value!.GetString("ActivityId") is { Length: > 0 } earlier && found.Value.GetString("TextHash") == hash
            && clock.GetUtcNow() - (found.Value.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue) < SameRequestWithin
            && (earlier == activityId || fromRetryCard || found.Value.GetBoolean("Answered") != true))
        {
            if (earlier != activityId)
                logger.LogInformation("Activity {ActivityId} repeats request {Earlier}: handled as that request", activityId, earlier);
            return earlier;
        }
        await t.UpsertEntityAsync(new TableEntity(partition, Row) { ["ActivityId"] = activityId, ["TextHash"] = hash, ["At"] = clock.GetUtcNow(), ["Answered"] = false },
            TableUpdateMode.Replace, ct);
        return activityId;
    }

    // The person has seen the answer: the next message, even with the same words, is a new request. Best effort: if this
    // is lost, the same words typed again within the window show the same ticket again, which is no harm.
    public async Task AnsweredAsync(Protocol.Activity activity, string answeredActivityId, CancellationToken ct)
    {
        try
        {
            var t = await table.GetAsync(ct);
            var partition = Partition(activity);
            var found = await t.GetEntityIfExistsAsync<TableEntity>(partition, Row, cancellationToken: ct);
            if (found.HasValue && found.Value!.GetString("ActivityId") == answeredActivityId && found.Value.GetBoolean("Answered") != true)
                await t.UpdateEntityAsync(new TableEntity(partition, Row) { ["Answered"] = true }, found.Value.ETag, TableUpdateMode.Merge, ct);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Answered by a redelivery meanwhile, or a newer request took the row: leave it.
        }
        catch (Exception ex) when (TableStorage.IsFailure(ex))
        {
            logger.LogWarning("Could not mark request {ActivityId} answered: {Error}", answeredActivityId, ex.GetBaseException().GetType().Name);
        }
    }

    static string Partition(Protocol.Activity activity) =>
        "last~" + LazyTable.Key($"{activity.Conversation?.Id}|{activity.From?.Id}");

    // Only a hash is kept: the words themselves stay in the request's own rows.
    static string Hash(string text)
    {
        var normal = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(normal)))[..32];
    }
}
