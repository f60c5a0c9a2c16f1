using System.Security.Cryptography;
using System.Text.Json;
using SupportBot.Protocol;

namespace SupportBot.Tickets;

// Outbox dedupe keys derived from the change, so a redelivered activity or a second instance enqueues a message once.
public static class TicketOutboxKeys
{
    public static string ChannelPost(int number) => $"ticket-{number}-channel-post";

    public static string RequesterPost(int number) => $"ticket-{number}-requester-post";

    // A message about one change (an announcement, a reply passed on): the change's history entry.
    public static string ForEvent(int number, TicketEvent change, string what) => $"ticket-{number}-{change.Seq}-{what}";

    // A card rewrite: the ticket's latest change and what the card says (bookkeeping changes add no history entry).
    public static string CardUpdate(Ticket ticket, string card, Activity content)
    {
        var hash = Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(content, ProtocolJson.Options)))[..16];
        return $"ticket-{ticket.Number}-{CardVersion(ticket)}-{card}-{hash}";
    }

    // How new a card of the ticket is: its latest change. The outbox never lets an update of a lower version follow one
    // of a higher (a card rendered from an earlier read, queued late).
    public static long CardVersion(Ticket ticket) => ticket.History.Count == 0 ? 0 : ticket.History.Max(e => e.Seq);
}
