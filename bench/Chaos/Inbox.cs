using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupportBot.FakeConnector;

namespace SupportBot.Chaos;

// What the bot sent to the fake Connector, indexed as it arrives: the replies to each activity, the messages sent to
// each conversation and the updates of each message. Faulted calls (429/503) are kept apart: they were not delivered.
public sealed class Inbox
{
    readonly ConcurrentDictionary<string, ConcurrentQueue<CallRecord>> replies = new();
    readonly ConcurrentDictionary<string, ConcurrentQueue<CallRecord>> sends = new();
    readonly ConcurrentDictionary<string, ConcurrentQueue<CallRecord>> updates = new();
    readonly ConcurrentQueue<CallRecord> delivered = new();
    // The first poll sent for each ticket to each conversation, found as it arrives: users waiting for their poll look
    // it up here instead of reading every card sent to them again on every arrival (which cost the driver most of a core).
    readonly ConcurrentDictionary<(string Conversation, int Ticket), (CallRecord Record, CardAction Rate)> polls = new();
    // Poll sends the Connector refused (429/503), per conversation and ticket: how often a late poll was turned away.
    readonly ConcurrentDictionary<(string Conversation, int Ticket), int> refusedPolls = new();
    TaskCompletionSource arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long lastArrivalTicks = DateTime.UtcNow.Ticks;

    public Inbox(ConnectorLedger ledger) => ledger.Recorded += OnRecorded;

    public IEnumerable<CallRecord> Delivered => delivered;
    public DateTime LastArrival => new(Interlocked.Read(ref lastArrivalTicks), DateTimeKind.Utc);

    void OnRecorded(CallRecord r)
    {
        Interlocked.Exchange(ref lastArrivalTicks, DateTime.UtcNow.Ticks);
        if (r.Status is >= 200 and < 300)
        {
            delivered.Enqueue(r);
            switch (r.Kind)
            {
                case CallKind.Reply:
                    replies.GetOrAdd(r.ConversationId + "\n" + r.ActivityId, _ => new()).Enqueue(r);
                    break;
                case CallKind.Send:
                    sends.GetOrAdd(r.ConversationId ?? "", _ => new()).Enqueue(r);
                    foreach (var card in Cards.CardsIn(r.Body))
                        if (PollRate(card) is { } rate)
                            polls.TryAdd((r.ConversationId ?? "", rate.Data["ticket"]!.GetValue<int>()), (r, rate));
                    break;
                case CallKind.Update:
                    updates.GetOrAdd(r.ActivityId ?? "", _ => new()).Enqueue(r);
                    break;
            }
        }
        else if (r.Kind == CallKind.Send)
            foreach (var ticket in PollTickets(r))
                refusedPolls.AddOrUpdate((r.ConversationId ?? "", ticket), 1, (_, n) => n + 1);
        Interlocked.Exchange(ref arrived, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public IReadOnlyList<CallRecord> RepliesTo(string conversation, string activityId) =>
        replies.TryGetValue(conversation + "\n" + activityId, out var q) ? [.. q] : [];

    public IReadOnlyList<CallRecord> SentTo(string conversation) => sends.TryGetValue(conversation, out var q) ? [.. q] : [];

    public (CallRecord Record, CardAction Rate)? PollFor(string conversation, int ticket) =>
        polls.TryGetValue((conversation, ticket), out var poll) ? poll : null;

    public int RefusedPollSends(string conversation, int ticket) => refusedPolls.GetValueOrDefault((conversation, ticket));

    static CardAction? PollRate(JsonNode card) =>
        Cards.Find(card, "poll.rate") is { } rate && rate.Data["ticket"]?.GetValueKind() == JsonValueKind.Number ? rate : null;

    static IEnumerable<int> PollTickets(CallRecord r) =>
        Cards.CardsIn(r.Body).Select(PollRate).OfType<CardAction>().Select(rate => rate.Data["ticket"]!.GetValue<int>());

    public IReadOnlyList<CallRecord> UpdatesOf(string activityId) => updates.TryGetValue(activityId, out var q) ? [.. q] : [];

    public async Task<T?> WaitForAsync<T>(Func<T?> find, TimeSpan timeout, CancellationToken ct) where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            var next = Volatile.Read(ref arrived).Task;
            if (find() is { } found) return found;
            try { await next.WaitAsync(TimeSpan.FromSeconds(1), cts.Token); }
            catch (TimeoutException) { }
            catch (OperationCanceledException) { return find(); }
        }
    }

    // Quiet: nothing arrived at the Connector for this long (the outboxes have drained, the timers are done).
    public async Task WaitForQuietAsync(TimeSpan quiet, TimeSpan max, CancellationToken ct)
    {
        var until = DateTime.UtcNow + max;
        while (DateTime.UtcNow - LastArrival < quiet && DateTime.UtcNow < until)
            await Task.Delay(250, ct);
    }
}

public sealed record CardAction(string Verb, JsonObject Data);

// Adaptive Card reading: the Action.Execute buttons (verb and data) anywhere in a card, and its fallback text.
public static class Cards
{
    public static IEnumerable<JsonNode> CardsIn(JsonElement? activityBody)
    {
        if (activityBody is not { ValueKind: JsonValueKind.Object } body || !body.TryGetProperty("attachments", out var attachments) || attachments.ValueKind != JsonValueKind.Array)
            yield break;
        foreach (var a in attachments.EnumerateArray())
            if (a.TryGetProperty("content", out var content) && JsonNode.Parse(content.GetRawText()) is { } node)
                yield return node;
    }

    public static string? TextOf(JsonElement? activityBody) =>
        activityBody is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    public static List<CardAction> Actions(JsonNode? card)
    {
        var found = new List<CardAction>();
        Walk(card, found);
        return found;
    }

    static void Walk(JsonNode? node, List<CardAction> found)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["type"]?.GetValueKind() == JsonValueKind.String && o["type"]!.GetValue<string>() == "Action.Execute"
                    && o["verb"]?.GetValueKind() == JsonValueKind.String)
                    found.Add(new CardAction(o["verb"]!.GetValue<string>(), o["data"] as JsonObject ?? []));
                foreach (var (_, child) in o) Walk(child, found);
                break;
            case JsonArray a:
                foreach (var child in a) Walk(child, found);
                break;
        }
    }

    public static CardAction? Find(JsonNode? card, string verb) => Actions(card).FirstOrDefault(a => a.Verb == verb);

    public static int? TicketOf(JsonNode? card) =>
        Actions(card).Where(a => a.Verb.StartsWith("ticket.", StringComparison.Ordinal)).Select(a => a.Data["ticket"]?.GetValue<int>()).FirstOrDefault(n => n > 0);

    public static string Fallback(JsonNode? card) => card?["fallbackText"]?.GetValue<string>() ?? "";
}
