using Microsoft.Extensions.Options;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Technicians;
using SupportBot.Tickets;

namespace SupportBot.Escalation;

// "Support:Sla:" settings of the watch.
public sealed class SlaWatchOptions
{
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

// Every CheckInterval: the open queue against its response targets. A ticket whose current target became due soon or
// breached is flagged once in its channel thread (an emergency nobody picked up mentions on call again) and its channel
// card is re-rendered so its target line is current. Every instance runs the watch; the alert's deterministic key makes
// the outbox send it once, and SlaAlertLog remembers it for good, so neither a second instance nor a restart repeats it.
public sealed class SlaWatch(
    ITicketStore store,
    Sla sla,
    SupportHours hours,
    SlaAlertLog log,
    Outbox outbox,
    TechnicianDirectory technicians,
    TechnicianDesk technicianDesk,
    RequesterUpdates requesterUpdates,
    IOptions<SlaWatchOptions> options,
    TimeProvider clock,
    ILogger<SlaWatch> logger) : BackgroundService
{
    bool storageFailing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
                if (storageFailing) logger.LogInformation("SLA watch: storage is reachable again");
                storageFailing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Storage down (or anything else): say so once per outage, not every minute, and never stop the host.
                if (!storageFailing) logger.LogWarning("SLA watch: the check failed ({Error}); trying again every {Interval}", ex.GetType().Name, options.Value.CheckInterval);
                storageFailing = true;
            }
            try
            {
                await Task.Delay(options.Value.CheckInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    // One pass over the open queue; the alerts it enqueued.
    public async Task<IReadOnlyList<SlaAlert>> CheckAsync(CancellationToken ct)
    {
        var fired = new List<SlaAlert>();
        foreach (var summary in await store.ListOpenAsync(ct))
        {
            var now = clock.GetUtcNow();
            if (await store.GetAsync(summary.Number, ct) is not { TechnicianCard: { } card } ticket) continue; // no channel card yet: next time
            var status = sla.For(ticket, now);
            if (SlaAlert.For(ticket, status) is not { } alert || await log.HasFiredAsync(alert, ct)) continue;

            var onCall = alert.CallsOnCall(ticket) ? await technicians.OnCallAsync(card.ServiceUrl, ct) : [];
            var thread = new OutboxTarget(card.ServiceUrl, $"{card.ConversationId};messageid={card.ActivityId}");
            await outbox.EnqueueSendAsync(thread, Activity.CreateMessage(attachments:
                SlaAlertCard.Create(ticket, alert, status, hours, now, onCall).ToAttachment()), alert.DedupeKey, ct);
            // The cards' target lines move on too (best effort: the next change rewrites them anyway).
            await technicianDesk.UpdateChannelCardAsync(ticket, ct);
            if (alert.State == SlaState.Breached)
                await requesterUpdates.UpdateCardAsync(ticket, ct);
            // After the enqueue: a crash in between re-enqueues the same keys next time, which the outbox ignores.
            await log.MarkFiredAsync(alert, ct);
            logger.LogInformation("SLA watch: ticket {Number} {Target} {State}", ticket.Number, alert.Target, alert.State);
            fired.Add(alert);
        }
        return fired;
    }
}

public static class EscalationServiceCollectionExtensions
{
    public static IServiceCollection AddEscalation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SlaWatchOptions>().Bind(configuration.GetSection("Support:Sla"))
            .Validate(o => o.CheckInterval > TimeSpan.Zero, "Support:Sla:CheckInterval must be positive, e.g. 00:01:00.")
            .ValidateOnStart();
        services.AddSingleton<SlaAlertLog>();
        services.AddSingleton<SlaWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<SlaWatch>());
        return services;
    }
}
