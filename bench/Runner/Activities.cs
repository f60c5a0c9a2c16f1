using System.Text;
using System.Text.Json;

namespace SupportBot.Bench;

public enum Mix { A, B, C, D, Echo }

public enum TurnKind { Emergency, Suggestions, CardAction, Echo }

// The activity bodies: unique ids, one of `conversations` personal chats per turn in turn, texts from two pools that the
// committed triage model answers with an emergency ticket (a) or with knowledge-base suggestions (b) (chosen once by
// sending candidates from Bot/Triage/Data and knowledge/queries through the bot).
public sealed class Activities(string serviceUrl, string runId, int conversations, IReadOnlyDictionary<int, TicketCard>? cards)
{
    public static readonly string[] Emergencies =
    [
        "the exam invigilator login doesn't work and the exam room opens in 5 mins",
        "none of my team's emails have gone out since 8:15, they sit in sent but recipients get nothing, and the enrolment deadline is today",
        "The exam board entries deadline is 5pm today and the SIMS exams module crashes every time I try to export the entries file",
        "the interactive screen in the nursery has come loose from the wall bracket and is leaning",
        "Our mailing to 800 members has to be at the post office by 4 and the envelope printer has died halfway through, we're 300 short",
        "cant get ANY picture on the beamer, running induction for 40 new staff and they are all sitting here",
        "a parent says they got a message from our school address asking them to pay trip fees to a new account, we never sent that",
        "my laptop won't output sound to my headset and I'm on a live client consultation",
        "Both PCs at the pharmacy counter of our community clinic just died at the same time, we can't look anything up and patients are queuing",
        "ipad missing from my classroom think it was taken",
        "got an email saying my password was successfully changed, but I never changed it",
        "a man none of us know was walking around with a clipboard unplugging computers saying he was from the IT contractor, we didn't book anyone",
        "the IT contractor we hired for the day is sat in reception and can't do anything without a guest account, we're paying him by the hour",
        "oops typed my password into a fake microsoft page",
        "We need a spare laptop in the exam hall immediately, a candidate with a word processor arrangement has nothing to type on and the paper started 5 minutes ago",
        "Arbor isn't showing any medical info for the kids on the trip, bus leaves in 15 min and the trip leader needs the allergy list",
        "everyone on my zoom lecture says my voice is cutting out, 60 people on right now",
        "one of the chromebook chargers melted onto the desk",
        "outlook on the reception pc keeps asking me to sign in again every few seconds and I have a line of parents waiting to confirm their appointments",
        "Visio keeps crashing when I open the evacuation floor plan and the fire officer is here waiting to inspect it",
        "the label-making PC in the warehouse freezes every couple of minutes, the van is waiting to be loaded and nothing can go out without labels",
    ];

    public static readonly string[] Requests =
    [
        "what do I put in the 'identity' field when joining eduroam on android?",
        "error when i try to join the teams call",
        "my home broadband is fine but the vpn is slowish, any settings I can tweak?",
        "how to force quit on mac",
        "how to zoom in on a webpage",
        "how to scan to my email on the copier",
        "where should i save stuff so it doesnt get lost",
        "switched to an iphone, microsoft authenticator not set up on it",
        "it wants an admin password to install something",
        "how do i reset my office 365 password",
        "move my favorites to the new laptop",
        "emptied deleted items by mistake can i get them back",
        "everything went dark colours how do i change it back",
        "can you recommend a secure way for volunteers to share documents with us",
        "can i install zoom on my work laptop",
        "send a scan to myself as pdf",
        "copier keeps asking for paper even though the tray is full",
        "need to change my job title at the bottom of my emails",
    ];

    public static TurnKind KindOf(Mix mix, long g) => mix switch
    {
        Mix.A => TurnKind.Emergency,
        Mix.B => TurnKind.Suggestions,
        Mix.C => TurnKind.CardAction,
        Mix.D => (g % 10) switch { < 7 => TurnKind.Suggestions, < 9 => TurnKind.Emergency, _ => TurnKind.CardAction },
        _ => TurnKind.Echo,
    };

    public (byte[] Body, TurnKind Kind) Next(Mix mix, long g)
    {
        var kind = KindOf(mix, g);
        var k = (int)(g % conversations);
        var id = $"{runId}-{g}";
        var body = kind switch
        {
            TurnKind.Emergency => Message(id, k, Emergencies[g % Emergencies.Length]),
            TurnKind.Suggestions => Message(id, k, Requests[g % Requests.Length]),
            TurnKind.CardAction => AddDetails(id, k),
            _ => Message(id, k, "hello " + id),
        };
        return (body, kind);
    }

    public byte[] Message(string id, int k, string text) =>
        Envelope("message", id, k, $",\"text\":{JsonSerializer.Serialize(text)}");

    byte[] AddDetails(string id, int k)
    {
        var card = cards![k];
        return Envelope("invoke", id, k,
            $",\"name\":\"adaptiveCard/action\",\"replyToId\":\"{card.ActivityId}\",\"value\":{{\"action\":{{\"type\":\"Action.Execute\"," +
            $"\"verb\":\"ticket.addDetails\",\"data\":{{\"ticket\":{card.Number},\"details\":\"more detail {id}\"}}}},\"trigger\":\"manual\"}}");
    }

    byte[] Envelope(string type, string id, int k, string rest) => Encoding.UTF8.GetBytes(
        $"{{\"type\":\"{type}\",\"id\":\"{id}\",\"timestamp\":\"{DateTimeOffset.UtcNow:O}\",\"channelId\":\"msteams\"," +
        $"\"serviceUrl\":\"{serviceUrl}\",\"from\":{{\"id\":\"29:bench-user-{k}\",\"name\":\"Bench User {k}\",\"aadObjectId\":\"00000000-0000-0000-0000-{k:D12}\"}}," +
        $"\"recipient\":{{\"id\":\"28:bench-bot\",\"name\":\"SupportBot\"}},\"conversation\":{{\"id\":\"a:bench-conversation-{k}\",\"conversationType\":\"personal\",\"tenantId\":\"bench-tenant\"}}," +
        $"\"channelData\":{{\"tenant\":{{\"id\":\"bench-tenant\"}}}},\"locale\":\"en-GB\",\"textFormat\":\"plain\"{rest}}}");
}

public sealed record TicketCard(int Number, string ActivityId);
