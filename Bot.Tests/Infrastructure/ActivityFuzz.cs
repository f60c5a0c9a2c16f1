using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace SupportBot.Tests.Infrastructure;

// Schema-aware hostile activities, built from a valid one: fields replaced by random values of the wrong kind, required
// ids missing, unknown types and invoke names, card actions with every verb the bot knows and forged data, huge arrays,
// deep nesting, lone surrogates and invalid UTF-8, and plain garbage. Shared by BadInputTests and the load tool
// (bench/Chaos), which sends thousands of them to running instances.
public static class ActivityFuzz
{
    const string LoneSurrogate = "\u0001LONE\u0001";
    const string BadUtf8 = "\u0001BAD8\u0001";

    public static readonly string[] Verbs =
    [
        "request.urgency", "request.retry", "kb.fixed", "kb.needHelp", "kb.steps", "kb.walk", "kb.walk.next", "kb.walk.fixed", "kb.walk.stuck",
        "ticket.addDetails", "ticket.location", "ticket.cancel", "ticket.reopen",
        "tech.refresh", "tech.assignMe", "tech.inProgress", "tech.waiting", "tech.noteRequester", "tech.noteInternal", "tech.resolve", "tech.reopen",
        "tech.assign", "tech.draftArticle", "tech.publish", "tech.flags",
        "poll.rate", "poll.firstTimeFix", "poll.comment", "poll.notFixed", "incident.refresh", "incident.resolve", "incident.separate",
        "requestStatus", "unknown", "",
    ];

    static readonly string[] InvokeNames =
    [
        "adaptiveCard/action", "composeExtension/fetchTask", "composeExtension/submitAction", "task/fetch", "task/submit",
        "signin/verifyState", "fileConsent/invoke", "actionableMessage/executeAction", "no/such/invoke", "",
    ];

    static readonly string[] Types = ["message", "invoke", "conversationUpdate", "installationUpdate", "typing", "messageReaction", "event", "endOfConversation", "trace", "handoff", "MESSAGE", "🙂", ""];

    static readonly string[] Fields =
    [
        "type", "id", "text", "value", "from", "conversation", "serviceUrl", "channelId", "name", "membersAdded", "membersRemoved",
        "entities", "attachments", "channelData", "timestamp", "action", "recipient", "replyToId", "locale", "textFormat", "reactionsAdded",
    ];

    static Gen<JsonNode?> Scalar { get; } = Gen.OneOf(
        Gen.Const((JsonNode?)null),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Int.Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Int[1000, 1100].Select(i => (JsonNode?)JsonValue.Create(i)),
        Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.OneOf<string>([.. Types, .. InvokeNames, .. Verbs, "msteams", "Action.Execute", "help", "user-1", "29:chaos-tech"]).Select(s => (JsonNode?)JsonValue.Create(s)));

    // The existing generator of BadInputTests: random JSON, and valid activities with fields replaced by random values.
    public static Gen<JsonNode?> Node { get; } = Gen.Recursive<JsonNode?>((depth, self) => depth >= 3
        ? Scalar
        : Gen.OneOf(
            Scalar,
            self.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray())),
            Gen.Select(Gen.OneOf<string>("type", "text", "value", "action", "from", "id", "membersAdded", "entities", "attachments", "channelData", "name",
                    "verb", "data", "command", "requesterId", "suggestionId", "articleId", "step", "checks", "emergency", "ticket", "resolution", "rating",
                    "note", "details", "request", "activityId", "incident"), self, (k, v) => (Key: k, Value: v))
                .Array[0, 4]
                .Select(pairs =>
                {
                    var obj = new JsonObject();
                    foreach (var pair in pairs) obj[pair.Key] = pair.Value?.DeepClone();
                    return (JsonNode?)obj;
                })));

    public static Gen<string> Json(Func<JsonObject> valid)
    {
        var mutated = Gen.Select(Gen.OneOf<string>(Fields).Array[1, 4], Node.Array[4]).Select((names, values) =>
        {
            var activity = valid();
            for (var i = 0; i < names.Length; i++) activity[names[i]] = values[i]?.DeepClone();
            return activity.ToJsonString();
        });
        return Gen.Frequency<string>((1, Node.Select(n => n?.ToJsonString() ?? "null")), (3, mutated), (2, CardAction(valid)), (1, Gen.String));
    }

    // Card actions: every verb, with data that is random, or well-formed but forged (any ticket number, any rating).
    public static Gen<string> CardAction(Func<JsonObject> valid) =>
        Gen.Select(Gen.OneOf<string>(Verbs), Node, Node, Gen.Int[990, 1200]).Select((verb, data, extra, ticket) =>
        {
            var activity = valid();
            activity["type"] = "invoke";
            activity["name"] = "adaptiveCard/action";
            var dataNode = data is JsonObject ? data.DeepClone()
                : new JsonObject { ["ticket"] = ticket, ["resolution"] = extra?.DeepClone(), ["rating"] = 5, ["text"] = data?.DeepClone(), ["suggestionId"] = extra?.DeepClone() };
            activity["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = verb, ["data"] = dataNode } };
            return activity.ToJsonString();
        });

    // 501 is the protocol's answer (as the Bot Framework SDK's) to an invoke the bot does not handle: allowed for exactly
    // those, and no other 5xx is.
    public static bool AcceptableStatus(int status, byte[] body) =>
        status < 500 || status == 501 && IsUnhandledInvoke(body);

    static bool IsUnhandledInvoke(byte[] body)
    {
        try
        {
            var node = JsonNode.Parse(body);
            return node?["type"]?.GetValue<string>() == "invoke"
                && node["name"]?.GetValue<string>() is not ("adaptiveCard/action" or "composeExtension/fetchTask" or "composeExtension/submitAction");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    // Everything above plus what needs raw bytes or sheer size: the load tool's generator.
    public static Gen<byte[]> Bodies(Func<JsonObject> valid) => Gen.Frequency<byte[]>(
        (6, Json(valid).Select(Encoding.UTF8.GetBytes)),
        (2, MissingIds(valid)),
        (2, UnknownTypesAndNames(valid)),
        (1, HugeArrays(valid)),
        (1, DeepNesting(valid)),
        (2, BadUnicode(valid)),
        (1, Gen.Byte.Array[0, 200]));

    static Gen<byte[]> MissingIds(Func<JsonObject> valid) =>
        Gen.OneOf<string>("id", "type", "channelId", "serviceUrl", "from", "from.id", "conversation", "conversation.id", "recipient", "text",
                "channelData", "channelData.tenant", "conversation.tenantId").Array[1, 3]
            .Select(paths =>
            {
                var activity = valid();
                foreach (var path in paths)
                {
                    var parts = path.Split('.');
                    if (parts.Length == 1) activity.Remove(parts[0]);
                    else if (activity[parts[0]] is JsonObject parent) parent.Remove(parts[1]);
                }
                return Encoding.UTF8.GetBytes(activity.ToJsonString());
            });

    static Gen<byte[]> UnknownTypesAndNames(Func<JsonObject> valid) =>
        Gen.Select(Gen.OneOf(Gen.OneOf<string>(Types), Gen.String), Gen.OneOf(Gen.OneOf<string>(InvokeNames), Gen.String), Node)
            .Select((type, name, value) =>
            {
                var activity = valid();
                activity["type"] = type;
                activity["name"] = name;
                activity["value"] = value?.DeepClone();
                return Encoding.UTF8.GetBytes(activity.ToJsonString());
            });

    static Gen<byte[]> HugeArrays(Func<JsonObject> valid) =>
        Gen.Select(Gen.OneOf<string>("entities", "attachments", "membersAdded", "reactionsAdded", "value"), Gen.Int[1_000, 40_000])
            .Select((field, count) =>
            {
                var activity = valid();
                var items = new JsonArray();
                for (var i = 0; i < count; i++) items.Add(field == "value" ? JsonValue.Create(i) : new JsonObject { ["type"] = "mention", ["id"] = i });
                activity[field] = items;
                return Encoding.UTF8.GetBytes(activity.ToJsonString());
            });

    // Nesting beyond the serializer's limit (64) and far beyond: written by hand, no recursion in the generator.
    static Gen<byte[]> DeepNesting(Func<JsonObject> valid) =>
        Gen.Select(Gen.OneOf<string>("value", "channelData", "entities", "from"), Gen.Int[10, 20_000], Gen.Bool)
            .Select((field, depth, arrays) =>
            {
                var activity = valid();
                activity[field] = "\u0001NEST\u0001";
                var open = arrays ? "[" : "{\"a\":";
                var close = arrays ? "]" : "}";
                var nested = new StringBuilder();
                for (var i = 0; i < depth; i++) nested.Append(open);
                nested.Append('1');
                for (var i = 0; i < depth; i++) nested.Append(close);
                return Encoding.UTF8.GetBytes(activity.ToJsonString().Replace("\"\\u0001NEST\\u0001\"", nested.ToString()));
            });

    // Lone surrogates as JSON escapes, and bytes that are not UTF-8 at all, in the text and in ids.
    static Gen<byte[]> BadUnicode(Func<JsonObject> valid) =>
        Gen.Select(Gen.OneOf<string>("text", "id", "from.id", "conversation.id", "name", "locale"), Gen.Bool, Gen.String[0, 20])
            .Select((path, rawBytes, around) =>
            {
                var activity = valid();
                var marker = rawBytes ? BadUtf8 : LoneSurrogate;
                var parts = path.Split('.');
                if (parts.Length == 1) activity[parts[0]] = around + marker + around;
                else if (activity[parts[0]] is JsonObject parent) parent[parts[1]] = around + marker + around;
                var json = activity.ToJsonString();
                if (!rawBytes) return Encoding.UTF8.GetBytes(json.Replace("\\u0001LONE\\u0001", "\\ud800x\\udfff"));
                var bytes = Encoding.UTF8.GetBytes(json.Replace("\\u0001BAD8\\u0001", "\u0001"));
                return bytes.Select(b => b == 0x01 ? (byte)0xFF : b).ToArray();
            });
}
