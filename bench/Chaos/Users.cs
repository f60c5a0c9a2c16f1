using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SupportBot.FakeConnector;

namespace SupportBot.Chaos;

// Someone in Teams: a personal chat with the bot (requesters) or the technicians' channel (the technician).
public sealed class SimUser(string id, string name, string conversation, bool inChannel = false)
{
    int next;
    public string Id => id;
    public string Conversation => conversation;

    string NextActivityId() => $"{id.Replace("29:", "")}-{Interlocked.Increment(ref next)}-{Guid.NewGuid():N}"[..40];

    JsonObject Base(string type, string serviceUrl) => new()
    {
        ["type"] = type,
        ["id"] = NextActivityId(),
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
        ["channelId"] = "msteams",
        ["serviceUrl"] = serviceUrl,
        ["from"] = new JsonObject { ["id"] = id, ["name"] = name, ["aadObjectId"] = "aad-" + id[3..] },
        ["recipient"] = new JsonObject { ["id"] = "28:supportbot", ["name"] = "SupportBot" },
        ["conversation"] = inChannel
            ? new JsonObject { ["id"] = conversation, ["conversationType"] = "channel", ["isGroup"] = true, ["tenantId"] = Cluster.Tenant }
            : new JsonObject { ["id"] = conversation, ["conversationType"] = "personal", ["tenantId"] = Cluster.Tenant },
        ["channelData"] = inChannel
            ? new JsonObject
            {
                ["tenant"] = new JsonObject { ["id"] = Cluster.Tenant },
                ["channel"] = new JsonObject { ["id"] = Cluster.Channel },
                ["team"] = new JsonObject { ["id"] = Cluster.Channel },
            }
            : new JsonObject { ["tenant"] = new JsonObject { ["id"] = Cluster.Tenant } },
        ["locale"] = "en-GB",
    };

    public JsonObject Message(string serviceUrl, string text)
    {
        var a = Base("message", serviceUrl);
        a["text"] = text;
        a["textFormat"] = "plain";
        return a;
    }

    public JsonObject Press(string serviceUrl, string verb, JsonObject data, string replyToId)
    {
        var a = Base("invoke", serviceUrl);
        a["name"] = "adaptiveCard/action";
        a["replyToId"] = replyToId;
        a["value"] = new JsonObject
        {
            ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = data.DeepClone() },
            ["trigger"] = "manual",
        };
        return a;
    }
}

public enum Intent { Emergency, NeedHelp, Deflect, Confirm, Cancel }

// What the bot told a user about one request: the ticket it filed (and where its card is), or that it was deflected.
public sealed record Told(int? Number, string? CardMessageId, JsonNode? Card, bool Deflected, string? Unclear = null);

// One ticket as the users saw it: filed for this requester; what they and the technician did to it afterwards.
public sealed class Expectation(int number, string requester, Intent intent)
{
    public int Number => number;
    public string Requester => requester;
    public Intent Intent => intent;
    public string? CardMessageId { get; set; }
    public string? FinalStatusWords { get; set; }
    public bool ByTechnician { get; set; }
    public string? LastCardFallback { get; set; }
    public int? Rating { get; set; }
    public int? PollResolution { get; set; }
    public int? PollTicket { get; set; }
}

public sealed record Press(int Status, JsonNode? Card, string? ErrorCode, string? Message);

// The people and what they do: the requesters' episodes and the technician working their tickets.
public sealed class Users(Cluster cluster, Traffic traffic, Inbox inbox)
{
    public Inbox Inbox => inbox;
    static readonly string[] Rooms = ["3", "5", "7", "12", "14", "21", "B2", "C4", "the library", "the science lab"];
    public ConcurrentDictionary<int, Expectation> Tickets { get; } = new();
    public ConcurrentDictionary<string, int> Deflections { get; } = new();
    public ConcurrentQueue<string> Unclear { get; } = new();
    public ConcurrentDictionary<string, int> Counts { get; } = new();
    public SimUser Technician { get; } = new(Cluster.TechnicianId, "Chaos Technician", Cluster.Channel + ";messageid=chaos-card", inChannel: true);

    void Count(string what) => Counts.AddOrUpdate(what, 1, (_, n) => n + 1);

    public static SimUser Requester(int i) => new($"29:chaos-u{i}", $"User {i}", $"a:chaos-u{i}");

    public async Task EpisodeAsync(SimUser user, Random rng, CancellationToken ct)
    {
        var roll = rng.Next(100);
        var intent = roll switch { < 30 => Intent.Emergency, < 55 => Intent.NeedHelp, < 80 => Intent.Deflect, < 90 => Intent.Confirm, _ => Intent.Cancel };
        var room = Rooms[rng.Next(Rooms.Length)];
        var text = intent switch
        {
            Intent.Emergency => $"the projector in room {room} is dead and the class is waiting right now",
            Intent.NeedHelp or Intent.Cancel => $"the printer near room {room} keeps jamming, no rush",
            Intent.Deflect => "how do I connect to the wifi",
            _ => $"the smartboard in room {room} shows no signal",
        };
        Count("episodes." + intent);
        var told = await AskAsync(user, text, intent, rng, ct);
        TrafficTrace.Line($"{user.Id} '{text}' told: ticket {told.Number?.ToString() ?? "-"}{(told.Deflected ? " deflected" : "")}{(told.Unclear is { } u ? " unclear: " + u : "")}");
        if (told.Deflected)
        {
            Deflections.AddOrUpdate(user.Id, 1, (_, n) => n + 1);
            return;
        }
        if (told.Number is not { } number)
        {
            Unclear.Enqueue($"{user.Id} '{text}': {told.Unclear}");
            return;
        }
        var expect = Tickets.GetOrAdd(number, n => new Expectation(n, user.Id, intent));
        expect.CardMessageId ??= told.CardMessageId;
        expect.LastCardFallback = Cards.Fallback(told.Card);
        if (expect.Requester != user.Id)
            Unclear.Enqueue($"ticket #{number} was shown to {user.Id} but filed for {expect.Requester}");

        if (intent == Intent.Cancel)
        {
            var cancelled = await PressAsync(user, "ticket.cancel", new JsonObject { ["ticket"] = number }, told.CardMessageId ?? "unknown", rng, ct);
            if (cancelled.Card is null) Unclear.Enqueue($"cancel of #{number}: {cancelled.ErrorCode} {cancelled.Message}");
            else expect.LastCardFallback = Cards.Fallback(cancelled.Card);
            return;
        }
        if (rng.NextDouble() < 0.15) return; // left for the SLA watch
        await WorkAsync(user, expect, rng, ct);
    }

    async Task WorkAsync(SimUser requester, Expectation expect, Random rng, CancellationToken ct)
    {
        var n = expect.Number;
        expect.ByTechnician = true;
        await TechAsync("tech.assignMe", new JsonObject { ["ticket"] = n }, rng, ct);
        // Asked only if the question was saved (a refused press changed nothing, and the requester is asked nothing).
        if (rng.NextDouble() < 0.5 && await TechAsync("tech.waiting", new JsonObject { ["ticket"] = n, ["note"] = "Which room is it exactly?" }, rng, ct))
        {
            var answer = await SayUntilAnsweredAsync(requester, "it is room 12, the one by the window", rng, ct, shown: card =>
            {
                // Taken for a new request (the technician's question never got through): a ticket this user was shown,
                // so it counts as told, not as a duplicate; the line below still reports the answer as unclear.
                if (Cards.TicketOf(card) is { } other && other != n)
                    Tickets.GetOrAdd(other, o => new Expectation(o, requester.Id, Intent.NeedHelp) { LastCardFallback = Cards.Fallback(card) });
            });
            Count("requester replies");
            if (answer?.Contains($"ticket #{n}", StringComparison.Ordinal) != true || answer.Contains("\"ticket.cancel\"") && !answer.Contains("added that"))
                Unclear.Enqueue($"requester's reply to #{n} was answered '{(answer is null ? null : answer.Length > 200 ? answer[..200] : answer)}'");
        }
        await TechAsync("tech.resolve", new JsonObject { ["ticket"] = n, ["resolution"] = "Replaced the part and tested it with the requester." }, rng, ct);
        expect.FinalStatusWords = "Resolved";

        // The poll arrives through the outbox, a moment after the resolution.
        var poll = await inbox.WaitForAsync(() => inbox.PollFor(requester.Conversation, n) is { } found ? Tuple.Create(found.Record, found.Rate) : null,
            TimeSpan.FromSeconds(60), ct);
        if (poll is null)
        {
            // Not answered then, like a user who has moved on: whether it came at all, and when, is checked at the end.
            Count("poll not there within 60 s");
            TrafficTrace.Line($"{requester.Id} no poll for #{n} within 60 s");
            return;
        }
        Count("polls seen");
        if (rng.NextDouble() < 0.25) return; // unanswered: the reminder timer fires for it
        var rating = rng.Next(1, 6);
        var data = poll.Item2.Data.DeepClone().AsObject();
        data["rating"] = rating;
        var rated = await PressAsync(requester, "poll.rate", data, poll.Item1.ReturnedId ?? "poll", rng, ct);
        TrafficTrace.Line($"{requester.Id} rated #{n} {rating} (poll {data["ticket"]}/{data["resolution"]}): " +
            (rated.Card is { } ratedCard ? Cards.Fallback(ratedCard) : $"{rated.ErrorCode} {rated.Message}"));
        if (rated.Card is null) Unclear.Enqueue($"rating #{n}: {rated.ErrorCode} {rated.Message}");
        else
        {
            expect.Rating = rating;
            expect.PollTicket = data["ticket"]!.GetValue<int>();
            expect.PollResolution = data["resolution"]!.GetValue<int>();
        }
    }

    // true: the change was saved (whether or not it was passed on).
    async Task<bool> TechAsync(string verb, JsonObject data, Random rng, CancellationToken ct)
    {
        var pressed = await PressAsync(Technician, verb, data, "chaos-card", rng, ct);
        Count(verb);
        // Saved but not passed on (storage blip): the card says to press again, and the technician does.
        for (var again = 0; again < 20 && pressed.Card?.ToJsonString().Contains("Press the same button again", StringComparison.Ordinal) == true; again++)
        {
            Count("technician pressed again to pass a change on");
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            pressed = await PressAsync(Technician, verb, data, "chaos-card", rng, ct);
        }
        if (pressed.Card is null) Unclear.Enqueue($"{verb} on #{data["ticket"]}: {pressed.ErrorCode} {pressed.Message}");
        else if (pressed.Card.ToJsonString().Contains("Press the same button again", StringComparison.Ordinal))
            Unclear.Enqueue($"{verb} on #{data["ticket"]}: never passed on");
        return pressed.Card is not null;
    }

    // What a user does: types the request, then answers whatever the bot asks until they have a ticket or a fix.
    public async Task<Told> AskAsync(SimUser user, string text, Intent intent, Random rng, CancellationToken ct)
    {
        JsonNode? card = null;
        string? messageId = null;
        for (var tries = 0; card is null; tries++)
        {
            var activity = user.Message(cluster.ServiceUrl, text);
            var (reply, said) = await SayAsync(user, activity, rng, ct);
            if (reply is not null)
            {
                card = Cards.CardsIn(reply.Body).FirstOrDefault();
                messageId = reply.ReturnedId;
            }
            if (card is not null) break;
            if (tries >= 12) return new Told(null, null, null, false, $"no card after {tries} tries; last said '{said}'");
            Count("request sent again");
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        }

        for (var step = 0; step < 12; step++)
        {
            if (Cards.TicketOf(card) is { } number) return new Told(number, messageId, card, false);
            JsonNode? next;
            if (Cards.Find(card, "request.retry") is { } retry)
            {
                Count("try again pressed");
                await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
                next = (await PressAsync(user, retry.Verb, retry.Data, messageId!, rng, ct)).Card;
            }
            else if (Cards.Actions(card).Where(a => a.Verb == "request.urgency").ToList() is { Count: > 0 } urgency)
            {
                Count("urgency answered");
                var choice = urgency.FirstOrDefault(a => a.Data["emergency"]?.GetValue<bool>() == (intent == Intent.Emergency)) ?? urgency[0];
                next = (await PressAsync(user, choice.Verb, choice.Data, messageId!, rng, ct)).Card;
            }
            else if (Cards.Find(card, "kb.needHelp") is { } needHelp)
            {
                if (intent == Intent.Deflect && Cards.Find(card, "kb.fixed") is { } fixedIt)
                {
                    var thanks = await PressAsync(user, fixedIt.Verb, fixedIt.Data, messageId!, rng, ct);
                    return thanks.Card is not null ? new Told(null, messageId, thanks.Card, true) : new Told(null, messageId, null, false, $"kb.fixed: {thanks.ErrorCode} {thanks.Message}");
                }
                Count("still need help");
                next = (await PressAsync(user, needHelp.Verb, needHelp.Data, messageId!, rng, ct)).Card;
            }
            else return new Told(null, messageId, card, false, "a card with nothing to do: " + Cards.Fallback(card));
            if (next is null) return new Told(null, messageId, card, false, "a button press was refused");
            card = next;
        }
        return new Told(null, messageId, card, false, "too many steps");
    }

    // A message and the bot's first answer to it (a redelivered copy may answer too; the user sees the first).
    async Task<(CallRecord? Reply, string? Said)> SayAsync(SimUser user, JsonObject activity, Random rng, CancellationToken ct)
    {
        var id = activity["id"]!.GetValue<string>();
        await traffic.PostAsync(activity, rng, ct: ct);
        var replies = inbox.RepliesTo(user.Conversation, id).OrderBy(r => r.Seq).ToList();
        if (replies.FirstOrDefault(r => Cards.CardsIn(r.Body).Any()) is { } withCard) return (withCard, null);
        if (replies.Count > 0) return (null, Cards.TextOf(replies[0].Body));
        // Nothing reached the user (the Connector's retries ran out): Teams does not redeliver, so the user types it again.
        Count("no reply");
        TrafficTrace.Line($"{user.Id} {id}: no reply");
        return (null, null);
    }

    // An answer to a technician's question: the bot says it was added, or offers "Try again" (storage down), which the
    // user presses until it is added. Anything else (a new ticket) is what the check reports.
    async Task<string?> SayUntilAnsweredAsync(SimUser user, string text, Random rng, CancellationToken ct, Action<JsonNode>? shown = null)
    {
        for (var tries = 0; tries < 10; tries++)
        {
            var (reply, said) = await SayAsync(user, user.Message(cluster.ServiceUrl, text), rng, ct);
            if (said is not null && !said.Contains("can't reach my storage", StringComparison.Ordinal)) return said;
            if (reply is not null && Cards.CardsIn(reply.Body).FirstOrDefault() is { } card)
            {
                for (var press = 0; press < 15 && Cards.Find(card, "request.retry") is { } retry; press++)
                {
                    Count("try again pressed");
                    await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
                    card = (await PressAsync(user, retry.Verb, retry.Data, reply.ReturnedId ?? "card", rng, ct)).Card;
                }
                if (card is not null) shown?.Invoke(card);
                return card?.ToJsonString() ?? "(no card)";
            }
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        }
        return null;
    }

    // A button press; pressed again (a new press, as a person would) while the bot says storage is unavailable.
    public async Task<Press> PressAsync(SimUser user, string verb, JsonObject data, string replyToId, Random rng, CancellationToken ct, bool retryStorage = true, int? instance = null)
    {
        Press last = new(0, null, null, null);
        for (var tries = 0; tries < 15; tries++)
        {
            var posted = await traffic.PostAsync(user.Press(cluster.ServiceUrl, verb, data, replyToId), rng, mayRedeliver: instance is null, instance: instance, ct: ct);
            last = Read(posted);
            var transient = posted.Status >= 500 || last.ErrorCode is "StorageUnavailable";
            if (!transient || !retryStorage) return last;
            Count("press repeated after a storage failure");
            await Task.Delay(TimeSpan.FromSeconds(1.5), ct);
        }
        return last;
    }

    static Press Read(Posted posted)
    {
        var body = posted.Body;
        var type = body?["type"]?.GetValue<string>();
        if (type == "application/vnd.microsoft.card.adaptive") return new(posted.Status, body!["value"], null, null);
        if (type == "application/vnd.microsoft.error")
            return new(posted.Status, null, body!["value"]?["code"]?.GetValue<string>(), body["value"]?["message"]?.GetValue<string>());
        if (type == "application/vnd.microsoft.activity.message") return new(posted.Status, null, "message", body!["value"]?.ToString());
        return new(posted.Status, null, "http-" + posted.Status, body?.ToJsonString());
    }
}
