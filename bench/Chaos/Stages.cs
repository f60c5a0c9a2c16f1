using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CsCheck;
using Microsoft.Extensions.Options;
using SupportBot.Surveys;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tickets;

namespace SupportBot.Chaos;

public sealed record FuzzResult(int Sent, IReadOnlyDictionary<int, int> ByStatus, IReadOnlyList<string> Unacceptable, bool HealthyAfter, double Seconds);

// Hostile activities (Bot.Tests/Infrastructure/ActivityFuzz) spread over the instances, a few at a time.
public static class FuzzStage
{
    public static async Task<FuzzResult> RunAsync(Cluster cluster, ChaosOptions options, CancellationToken ct)
    {
        var traffic = new Traffic(options with { Redeliver = 0 }, cluster) { Measure = false };
        var fuzzer = new SimUser("29:chaos-fuzz", "Fuzz", "a:chaos-fuzz");
        var byStatus = new ConcurrentDictionary<int, int>();
        var bad = new ConcurrentQueue<string>();
        var next = 0;
        var watch = Stopwatch.StartNew();
        await ActivityFuzz.Bodies(() => fuzzer.Message(cluster.ServiceUrl, "hello")).SampleAsync(async body =>
        {
            var slot = cluster.Bots[Interlocked.Increment(ref next) % cluster.Bots.Count];
            var posted = await traffic.SendOnceAsync(slot, body, ct);
            var status = posted?.Status ?? 0;
            byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (!ActivityFuzz.AcceptableStatus(status, body) || status == 0)
                bad.Enqueue($"{status}: {System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 400)])}");
            return true;
        }, iter: options.Fuzz, threads: 4);

        var healthy = true;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var bot in cluster.Bots)
            healthy &= (await http.GetAsync(bot.Health, ct)).IsSuccessStatusCode
                && (await traffic.SendOnceAsync(bot, System.Text.Encoding.UTF8.GetBytes(fuzzer.Message(cluster.ServiceUrl, "help").ToJsonString()), ct))?.Status == 200;
        return new FuzzResult(options.Fuzz, byStatus.ToDictionary(), [.. bad], healthy, watch.Elapsed.TotalSeconds);
    }
}

public sealed record ForgedResult(int Tried, IReadOnlyList<string> Accepted, IReadOnlyList<string> Changed);

// Card actions a client can forge: another user's ticket, a technician's verb from someone else, the wrong state,
// another user's poll, a poll that does not exist, a replayed activity. Each must be refused and leave storage as it was.
public static class ForgedStage
{
    public static async Task<ForgedResult> RunAsync(Cluster cluster, Users users, TableServiceClient tables, Random rng, CancellationToken ct)
    {
        var store = new TableTicketStore(tables, Options.Create(new TicketOptions()), TimeProvider.System);
        var polls = new PollStore(tables);
        var accepted = new List<string>();
        var changed = new List<string>();
        var tried = 0;
        var impostor = new SimUser(Cluster.NotATechnicianId, "Impostor", Cluster.Channel + ";messageid=chaos-card", inChannel: true);
        var targets = users.Tickets.Values.OrderBy(e => e.Number).Take(12).ToList();
        foreach (var target in targets)
        {
            var before = await store.GetAsync(target.Number, ct);
            if (before is null) continue;
            var pollBefore = target.PollResolution is { } r ? await polls.GetAsync(target.Number, r, ct) : null;
            var owner = new SimUser(target.Requester, "Owner", "a:" + target.Requester[3..]);
            var stranger = Users.Requester(9000 + target.Number);
            var data = new JsonObject { ["ticket"] = target.Number };
            // Refused: an error, or a card that says nothing was changed or shows the ticket as it was.
            async Task Expect(string what, SimUser who, string verb, JsonObject d)
            {
                tried++;
                var press = await users.PressAsync(who, verb, d, "forged-card", rng, ct);
                if (press.Card is not null && !press.Card.ToJsonString().Contains("nothing was changed", StringComparison.OrdinalIgnoreCase)
                    && !Cards.Fallback(press.Card).EndsWith($"({before.Status.InWords()})", StringComparison.Ordinal))
                    accepted.Add($"#{target.Number} {what}: answered with a card '{Cards.Fallback(press.Card)}'");
            }
            await Expect("another user cancels it", stranger, "ticket.cancel", data);
            await Expect("another user adds details", stranger, "ticket.addDetails", new JsonObject { ["ticket"] = target.Number, ["details"] = "forged" });
            await Expect("a non-technician resolves it", impostor, "tech.resolve", new JsonObject { ["ticket"] = target.Number, ["resolution"] = "forged" });
            await Expect("a non-technician assigns it", impostor, "tech.assignMe", data);
            if (before.IsOpen) await Expect("its requester reopens an open ticket", owner, "ticket.reopen", data);
            else await Expect("its requester cancels a closed ticket", owner, "ticket.cancel", data);
            await Expect("a poll that does not exist", owner, "poll.rate", new JsonObject { ["ticket"] = target.Number, ["resolution"] = 999, ["rating"] = 1 });
            if (target.PollResolution is { } res)
            {
                await Expect("another user's poll", stranger, "poll.rate", new JsonObject { ["ticket"] = target.Number, ["resolution"] = res, ["rating"] = 1 });
                await Expect("a poll answered already", owner, "poll.rate", new JsonObject { ["ticket"] = target.Number, ["resolution"] = res, ["rating"] = target.Rating == 1 ? 5 : 1 });
            }

            var after = await store.GetAsync(target.Number, ct);
            if (after is null || after.Status != before.Status || after.History.Count != before.History.Count || after.Assignee?.TeamsId != before.Assignee?.TeamsId)
                changed.Add($"#{target.Number}: {before.Status}/{before.History.Count} events became {after?.Status}/{after?.History.Count}");
            if (pollBefore is not null && (await polls.GetAsync(target.Number, pollBefore.Resolution, ct))?.Rating != pollBefore.Rating)
                changed.Add($"#{target.Number}: poll rating changed");
        }

        // A replayed activity: the same addDetails twice (once to each instance) adds one entry.
        if (targets.FirstOrDefault(t => t.Intent != Intent.Cancel) is { } replayed && await store.GetAsync(replayed.Number, ct) is { IsOpen: true } open)
        {
            tried++;
            var owner = new SimUser(replayed.Requester, "Owner", "a:" + replayed.Requester[3..]);
            var activity = owner.Press(cluster.ServiceUrl, "ticket.addDetails", new JsonObject { ["ticket"] = replayed.Number, ["details"] = "added once" }, "replayed-card");
            var traffic = new Traffic(new ChaosOptions { Mode = "replay", Redeliver = 0 }, cluster) { Measure = false };
            foreach (var bot in cluster.Bots.Concat(cluster.Bots))
                await traffic.SendOnceAsync(bot, System.Text.Encoding.UTF8.GetBytes(activity.ToJsonString()), ct);
            var after = await store.GetAsync(replayed.Number, ct);
            var added = after!.History.Count(e => e.Text == "added once");
            if (added != 1) changed.Add($"#{replayed.Number}: a replayed addDetails was applied {added} times");
        }
        return new ForgedResult(tried, accepted, changed);
    }
}

public sealed record ArticleResult(bool Published, double? FoundAfterSeconds, string Detail);

// An article published on one instance is found by search on the other: asked there until a suggestion names it.
public static class ArticleStage
{
    public static async Task<ArticleResult> RunAsync(Cluster cluster, Users users, Traffic traffic, Random rng, TimeSpan within, CancellationToken ct)
    {
        if (users.Tickets.Values.FirstOrDefault(e => e.FinalStatusWords == "Resolved") is not { } source)
            return new(false, null, "no resolved ticket to publish from");
        var publish = await users.PressAsync(users.Technician, "tech.publish", new JsonObject
        {
            ["ticket"] = source.Number,
            ["articleTitle"] = "Laminator in the staff room jams every pouch",
            ["articleIntro"] = "The laminator in the staff room jams every pouch halfway through.",
            ["articleSteps"] = "Switch the laminator off at the wall\nLet it cool for ten minutes\nPull out the stuck pouch from the back",
        }, "article-card", rng, ct, instance: 0);
        if (publish.Card is null) return new(false, null, $"publish refused: {publish.ErrorCode} {publish.Message}");
        var articleId = $"ticket-{source.Number}";
        var published = Stopwatch.StartNew();
        string lastAnswer = "";
        var other = cluster.Bots.Count > 1 ? 1 : 0;
        // A new person each time: one person asking the same words again, once an ask made before the article reached
        // this instance filed a ticket for them, is shown that ticket (CI 2026-12-07 15:15: the check then never saw a
        // suggestion); and each ask is then a first question, as the article's next reader's would be.
        for (var attempt = 0; published.Elapsed < within + TimeSpan.FromSeconds(20); attempt++)
        {
            var asker = new SimUser($"29:chaos-kb-{attempt}", "KB Asker", $"a:chaos-kb-{attempt}");
            var activity = asker.Message(cluster.ServiceUrl, "the laminator in the staff room jams every pouch, no rush");
            await traffic.PostAsync(activity, rng, mayRedeliver: false, instance: other, ct: ct);
            var cards = users.Inbox.RepliesTo(asker.Conversation, activity["id"]!.GetValue<string>()).SelectMany(r => Cards.CardsIn(r.Body)).ToList();
            lastAnswer = string.Join(" / ", cards.Select(c => Cards.Fallback(c) + " [" + string.Join(",", Cards.Actions(c).Select(a => a.Verb + ":" + a.Data["articleId"])) + "]"));
            if (cards.SelectMany(Cards.Actions).Any(a => a.Data["articleId"]?.GetValue<string>() == articleId))
                return new(true, published.Elapsed.TotalSeconds, $"article {articleId} published on bot 0, suggested by bot {other}");
            await Task.Delay(500, ct);
        }
        return new(true, null, $"article {articleId} published on bot 0 was not suggested by bot {other} within {within + TimeSpan.FromSeconds(20)}; last answer: {lastAnswer}");
    }
}
