namespace SupportBot.Tickets;

public sealed record FiledTicket(Ticket Ticket, bool Created);

// What a change does to a ticket: the new state and the history entries that say so (none for bookkeeping such as
// remembering a card's message id).
// ChangeId (the activity behind it) makes a change idempotent: once in the history it is not applied again.
public sealed record TicketChange(Ticket Updated, IReadOnlyList<NewEvent> Events, string? ChangeId = null);

public sealed record NewEvent(string ById, string? ByName, TicketEventKind Kind, string Summary, string? Text = null);

// Changed is false when the change function declined (returned null), e.g. cancelling a ticket that is already resolved.
public sealed record UpdateResult(Ticket Ticket, bool Changed);

// Tickets in durable storage. Filing is idempotent per request key; updates are optimistic (ETag) and retried on a
// fresh read, so concurrent changes never overwrite each other.
public enum TicketCardRole { Requester, Technician }

public interface ITicketStore
{
    // create builds the ticket once its number is known. The same requestKey always yields the same single ticket.
    Task<FiledTicket> FileAsync(string requestKey, Func<int, Ticket> create, CancellationToken ct);

    Task<Ticket?> GetAsync(int number, CancellationToken ct);

    // The ticket as it is now, without its history or cards (Reopened unknown): one point read, for a check that needs
    // only its status, people and times.
    Task<TicketSummary?> GetSummaryAsync(int number, CancellationToken ct);

    // A request that went to an existing ticket (a reply to a technician's question) is remembered under its key, so a
    // redelivery or a "Try again" of it finds that ticket instead of filing a new one. Null: the key is unknown.
    Task<int?> FindRequestAsync(string requestKey, CancellationToken ct);

    Task LinkRequestAsync(string requestKey, int number, CancellationToken ct);

    // Where one of the ticket's cards was posted, so later changes update it in place. Not a change to the ticket.
    // The first card stored stays: a later one (another copy posted for the same request) is not stored.
    Task RememberCardAsync(int number, TicketCardRole role, PostedCard card, CancellationToken ct);

    // change sees the latest state and may be called more than once; return null to leave the ticket as it is.
    // null when there is no such ticket.
    Task<UpdateResult?> UpdateAsync(int number, Func<Ticket, TicketChange?> change, CancellationToken ct);

    // Newest first.
    Task<IReadOnlyList<TicketSummary>> ListByRequesterAsync(string requesterTeamsId, CancellationToken ct);

    // Emergencies first, then by first-response due time.
    Task<IReadOnlyList<TicketSummary>> ListOpenAsync(CancellationToken ct);

    // Newest first.
    Task<IReadOnlyList<TicketSummary>> ListByAssigneeAsync(string assigneeTeamsId, CancellationToken ct);

    // Every ticket with its history, in number order.
    IAsyncEnumerable<Ticket> ExportAsync(CancellationToken ct);
}

public sealed class TicketFilingInProgressException(string requestKey)
    : Exception($"Request {requestKey} is being filed by another turn.");
