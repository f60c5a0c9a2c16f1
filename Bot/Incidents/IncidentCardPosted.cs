using SupportBot.Proactive;
using SupportBot.Tickets;

namespace SupportBot.Incidents;

// Runs once the outbox has posted an incident's card to the technicians' channel: its message id goes on the incident
// (for refreshes and for anyone reading it). Idempotent: the sweep may run it again after a restart.
public sealed class IncidentCardPosted(MajorIncidentStore incidents) : IOutboxSentHandler
{
    const string HandlerName = "incident-card";

    public string Name => HandlerName;

    public static AfterSent For(string incidentId) => new(HandlerName, incidentId);

    public async Task OnSentAsync(string data, PostedMessage posted, CancellationToken ct)
    {
        if (posted.ActivityId.Length == 0) return;
        var where = new PostedCard(posted.ServiceUrl, posted.ConversationId, posted.ActivityId);
        await incidents.UpdateAsync(data, i => i.Card == where ? null : i with { Card = where }, ct);
    }
}
