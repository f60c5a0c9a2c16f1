using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.FakeConnector;
using SupportBot.Surveys;
using SupportBot.Tickets;

namespace SupportBot.Chaos;

public sealed record Check(string Name, bool Passed, string Detail);

// After the run: storage and the fake Connector's records against what the simulated users were told.
public static class Checks
{
    public static async Task<(List<Check> Checks, Dictionary<string, object> Figures)> RunAsync(Cluster cluster, Users users, Inbox inbox, CancellationToken ct)
    {
        var checks = new List<Check>();
        var figures = new Dictionary<string, object>();
        var tables = new TableServiceClient(cluster.TablesConnection);
        var store = new TableTicketStore(tables, Options.Create(new TicketOptions()), TimeProvider.System);
        var stored = new List<Ticket>();
        await foreach (var t in store.ExportAsync(ct)) stored.Add(t);
        figures["tickets stored"] = stored.Count;

        // Which request each number went to (its claim, and its row beside the counter), so that a failed check can be
        // followed back to the activity ids in /tmp/chaos-traffic.log and the bots' logs.
        var requestsOf = new Dictionary<int, List<string>>();
        void Note(int? number, string what)
        {
            if (number is not { } n) return;
            if (!requestsOf.TryGetValue(n, out var list)) requestsOf[n] = list = [];
            list.Add(what);
        }
        await foreach (var claim in tables.GetTableClient("TicketRequests").QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"RowKey eq {"claim"}"), select: ["PartitionKey", "Number"], cancellationToken: ct))
            Note(claim.GetInt32("Number"), "claim " + claim.PartitionKey);
        await foreach (var reserved in tables.GetTableClient("Tickets").QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {"counter"} and RowKey gt {"request~"} and RowKey lt {"request~~"}"), select: ["RowKey", "Number"], cancellationToken: ct))
            Note(reserved.GetInt32("Number"), "reserved " + reserved.RowKey);
        string Whose(int n) => requestsOf.TryGetValue(n, out var list) ? $" [{string.Join("; ", list)}]" : " [no claim, no reservation]";

        // Numbers: unique and consecutive from the first.
        var numbers = stored.Select(t => t.Number).Order().ToList();
        var expectedNumbers = Enumerable.Range(1001, numbers.Count).ToList();
        checks.Add(new("ticket numbers unique and consecutive", numbers.SequenceEqual(expectedNumbers),
            numbers.Count == 0 ? "no tickets" : $"{numbers.Count} tickets, #{numbers[0]}..#{numbers[^1]}" +
                (numbers.SequenceEqual(expectedNumbers) ? "" : $"; missing {string.Join(",", expectedNumbers.Except(numbers).Take(10).Select(n => n + Whose(n)))}, duplicated {string.Join(",", numbers.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).Take(10))}")));

        // Every request the user was told became a ticket is there, once; nothing else was filed for simulated users.
        var simulated = stored.Where(t => t.Requester.TeamsId.StartsWith("29:chaos-u", StringComparison.Ordinal)).ToList();
        var told = users.Tickets.Values.ToList();
        var lost = told.Where(e => simulated.All(t => t.Number != e.Number)).Select(e => e.Number).ToList();
        var wrongOwner = told.Where(e => simulated.FirstOrDefault(t => t.Number == e.Number) is { } t && t.Requester.TeamsId != e.Requester).Select(e => e.Number).ToList();
        var untold = simulated.Where(t => told.All(e => e.Number != t.Number)).ToList();
        figures["tickets told to users"] = told.Count;
        figures["deflections"] = users.Deflections.Values.Sum();
        checks.Add(new("no ticket lost", lost.Count == 0 && wrongOwner.Count == 0,
            $"{told.Count} tickets told to users; missing from storage: [{string.Join(",", lost.Take(20))}]; filed for someone else: [{string.Join(",", wrongOwner.Take(20))}]"));
        checks.Add(new("no duplicate ticket", untold.Count == 0,
            $"{simulated.Count} stored for simulated users; filed but never told (a second ticket for one request): " +
            string.Join("; ", untold.Take(10).Select(t => $"#{t.Number} {t.Requester.TeamsId} '{t.Problem}' filed {t.CreatedAt:HH:mm:ss.fff}{Whose(t.Number)}"))));
        checks.Add(new("every request answered clearly", users.Unclear.IsEmpty,
            users.Unclear.IsEmpty ? "every request ended in a ticket or a fix" : $"{users.Unclear.Count}: " + string.Join(" | ", users.Unclear.Take(8))));

        // Each requester's card reached the ticket's last state.
        var cardProblems = new List<string>();
        var cardsChecked = 0;
        foreach (var e in told)
        {
            if (stored.FirstOrDefault(t => t.Number == e.Number) is not { } t) continue;
            var wanted = $"({t.Status.InWords()})";
            if (e.FinalStatusWords is { } expected && t.Status.InWords() != expected)
                cardProblems.Add($"#{t.Number} is {t.Status} in storage, expected {expected}");
            string shown;
            if (e.ByTechnician && t.RequesterCard is { } card)
            {
                var last = inbox.UpdatesOf(card.ActivityId).OrderBy(r => r.Seq).LastOrDefault();
                shown = last is null ? "(never updated)" : Cards.CardsIn(last.Body).Select(Cards.Fallback).FirstOrDefault() ?? "";
            }
            else shown = e.LastCardFallback ?? "";
            cardsChecked++;
            if (!shown.EndsWith(wanted, StringComparison.Ordinal))
                cardProblems.Add($"#{t.Number} ({t.Status}) card shows '{shown}' (stored card {t.RequesterCard?.ActivityId ?? "none"}, " +
                    $"shown to the user {e.CardMessageId ?? "none"}, {t.History.Count} changes: {string.Join(",", t.History.Select(h => h.Kind))})");
        }
        checks.Add(new("each requester card reached its last state", cardProblems.Count == 0,
            $"{cardsChecked} cards checked" + (cardProblems.Count == 0 ? "" : ": " + string.Join("; ", cardProblems.Take(10)))));

        // Every poll answer kept.
        var polls = new PollStore(tables);
        var pollProblems = new List<string>();
        var rated = told.Where(e => e.Rating is not null).ToList();
        foreach (var e in rated)
            if (await polls.GetAsync(e.PollTicket!.Value, e.PollResolution!.Value, ct) is var poll && poll?.Rating != e.Rating)
                pollProblems.Add($"#{e.Number} rated {e.Rating} (poll {e.PollTicket}/{e.PollResolution}: " +
                    (poll is null ? "not stored)" : $"rating {poll.Rating?.ToString() ?? "none"}, rated {poll.RatedAt:HH:mm:ss.fff}, not fixed {poll.NotFixedAt:HH:mm:ss.fff}, asked {poll.AskedAt:HH:mm:ss.fff})"));
        checks.Add(new("every poll answer kept", pollProblems.Count == 0 && rated.Count > 0,
            $"{rated.Count} ratings" + (pollProblems.Count == 0 ? "" : "; not kept: " + string.Join(", ", pollProblems.Take(10)))));

        // Every resolution asked its poll, however late (the outbox holds it through 429s, 503s and restarts); how long
        // after the resolution each arrived is a figure, the slowest named with the Connector's refusals of it.
        var pollDelays = new List<(int Number, double Seconds, int Refused)>();
        var pollsMissing = new List<string>();
        foreach (var t in simulated.Where(t => t.Status == TicketStatus.Resolved && t.RequesterCard is not null))
        {
            var resolvedAt = t.History.Last(h => h.Kind == TicketEventKind.Resolved).At;
            var conversation = t.RequesterCard!.ConversationId;
            if (inbox.PollFor(conversation, t.Number) is { } poll)
                pollDelays.Add((t.Number, (poll.Record.At - resolvedAt).TotalSeconds, inbox.RefusedPollSends(conversation, t.Number)));
            else
                pollsMissing.Add($"#{t.Number} resolved {resolvedAt:HH:mm:ss.fff}, {inbox.RefusedPollSends(conversation, t.Number)} refused sends");
        }
        var delays = pollDelays.Select(d => d.Seconds).Order().ToList();
        double Quantile(double q) => delays.Count == 0 ? 0 : Math.Round(delays[(int)Math.Min(delays.Count - 1, Math.Floor(q * delays.Count))], 1);
        figures["poll seconds after resolution (p50, p99, max)"] = $"{Quantile(0.5)}, {Quantile(0.99)}, {(delays.Count == 0 ? 0 : Math.Round(delays[^1], 1))}";
        figures["polls later than 60 s"] = delays.Count(d => d > 60);
        checks.Add(new("every resolution asked its poll", pollsMissing.Count == 0 && pollDelays.Count > 0,
            $"{pollDelays.Count} polls for resolved tickets; slowest: " + string.Join(", ", pollDelays.OrderByDescending(d => d.Seconds).Take(5)
                .Select(d => $"#{d.Number} {d.Seconds:F1} s ({d.Refused} refused)")) +
            (pollsMissing.Count == 0 ? "" : $"; never sent ({pollsMissing.Count}): " + string.Join("; ", pollsMissing.Take(10)))));

        // Proactive messages once: no two delivered sends with the same content to one conversation. The one exception
        // is the outbox's at-least-once window, stated in docs/reliability.md: a send the Connector answered in the
        // last moment before its instance was killed can go again once the lease expires, because the process died
        // before recording it and the Connector takes no idempotency key. Only a pair whose first copy was delivered
        // within 2 s before a kill counts as that; any other repeat fails.
        var sends = inbox.Delivered.Where(r => r.Kind is CallKind.Send or CallKind.CreateConversation).ToList();
        var duplicates = sends.GroupBy(r => (r.ConversationId, Canonical(r.Body))).Where(g => g.Count() > 1).ToList();
        var kills = cluster.Bots.SelectMany(b => b.KilledAt).ToList();
        var acrossKill = duplicates.Where(g => g.Count() == 2 && g.Min(r => r.At) is var first
            && kills.Any(k => first <= k && k - first < TimeSpan.FromSeconds(2))).ToList();
        var repeated = duplicates.Except(acrossKill).ToList();
        figures["proactive messages"] = sends.Count;
        figures["sent again after a kill right after the send (at-least-once)"] = acrossKill.Count;
        figures["updates"] = inbox.Delivered.Count(r => r.Kind == CallKind.Update);
        checks.Add(new("proactive messages sent once", repeated.Count == 0,
            $"{sends.Count} proactive messages" + (acrossKill.Count == 0 ? "" : $"; {acrossKill.Count} sent again because a kill came right after the first send") +
            (repeated.Count == 0 ? "" : $"; {repeated.Count} sent more than once, e.g. to {repeated[0].Key.ConversationId} " +
                $"at {string.Join(" and ", repeated[0].Select(r => r.At.ToString("HH:mm:ss.fff")))}: {Shorten(repeated[0].Key.Item2)}")));

        // Timers once: a reminder per unanswered poll at most, every SLA alert row sent exactly once.
        var reminders = sends.Select(r => JsonSerializer.Serialize(r.Body)).Where(b => b.Contains("A quick reminder about ticket #", StringComparison.Ordinal)).ToList();
        var remindersPerTicket = reminders.GroupBy(b => b[(b.IndexOf("A quick reminder about ticket #", StringComparison.Ordinal) + 31)..].Split('"', '\\')[0]).ToList();
        var alertRows = 0;
        await foreach (var _ in tables.GetTableClient("SlaAlerts").QueryAsync<TableEntity>(cancellationToken: ct)) alertRows++;
        var alertSends = sends.Count(r => r.ConversationId?.Contains(";messageid=", StringComparison.Ordinal) == true
            && JsonSerializer.Serialize(r.Body).Contains("Target: ", StringComparison.Ordinal));
        figures["poll reminders"] = reminders.Count;
        figures["SLA alerts"] = alertRows;
        checks.Add(new("timers fire once", remindersPerTicket.All(g => g.Count() == 1) && alertSends == alertRows && reminders.Count > 0,
            $"{reminders.Count} poll reminders for {remindersPerTicket.Count} tickets; {alertRows} SLA alerts recorded, {alertSends} sent"));
        return (checks, figures);
    }

    // The message without what the Connector or a retry may vary.
    static string Canonical(JsonElement? body)
    {
        if (body is not { } b || JsonNode.Parse(b.GetRawText()) is not JsonObject o) return "";
        foreach (var volatileField in new[] { "id", "timestamp", "localTimestamp", "replyToId" }) o.Remove(volatileField);
        return o.ToJsonString();
    }

    static string Shorten(string s) => s.Length > 200 ? s[..200] + "..." : s;
}
