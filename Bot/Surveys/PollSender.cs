using Microsoft.Extensions.Options;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Tickets;

namespace SupportBot.Surveys;

public sealed class SurveyOptions
{
    // One reminder this long after the poll if it is still unanswered; zero turns reminders off.
    public TimeSpan ReminderAfter { get; set; } = TimeSpan.FromDays(2);
    // How often an instance looks for reminders that are due.
    public TimeSpan ReminderCheckInterval { get; set; } = TimeSpan.FromMinutes(1);
}

// Asks the poll when a ticket is resolved, and sends its one reminder. Both go through the outbox under a key of the
// ticket and its resolution, so a replay or a second instance sends each once; a reopen and a new resolution ask again.
public sealed class PollSender(PollStore polls, ITicketStore tickets, Outbox outbox, IOptions<SurveyOptions> options, TimeProvider clock, ILogger<PollSender> logger)
{
    public static string PollKey(int ticket, int resolution) => $"poll|{ticket}|{resolution}";
    public static string ReminderKey(int ticket, int resolution) => $"poll-reminder|{ticket}|{resolution}";

    public async Task AskAsync(Ticket ticket, CancellationToken ct)
    {
        if (PollRecord.CurrentResolution(ticket) is not { } resolution) return;
        if (ticket.RequesterCard is null)
        {
            logger.LogInformation("Ticket {Number} has no requester conversation: no satisfaction poll", ticket.Number);
            return;
        }
        var poll = PollRecord.For(ticket, resolution, clock.GetUtcNow());
        if (!await polls.CreateAsync(poll, ct))
            poll = await polls.GetAsync(ticket.Number, resolution, ct) ?? poll;
        if (options.Value.ReminderAfter > TimeSpan.Zero && poll is { RemindedAt: null, Answered: false })
            await polls.ScheduleReminderAsync(poll, poll.AskedAt + options.Value.ReminderAfter, ct);
        await outbox.EnqueueSendAsync(Target(poll), Activity.CreateMessage(attachments: PollCards.Ask(poll).ToAttachment()), PollKey(poll.Ticket, poll.Resolution), ct);
    }

    // The reminders that are due, each sent once: enqueued under its own key before it is marked and its timer removed,
    // so an instance stopping halfway leaves the timer for the next pass, and the outbox keeps it to one message.
    public async Task<int> SendDueRemindersAsync(CancellationToken ct)
    {
        var sent = 0;
        foreach (var due in await polls.ListDueAsync(clock.GetUtcNow(), ct))
        {
            var poll = await polls.GetAsync(due.Ticket, due.Resolution, ct);
            if (poll is { Answered: false, RemindedAt: null } && await tickets.GetAsync(poll.Ticket, ct) is { } ticket
                && PollRecord.CurrentResolution(ticket) == poll.Resolution)
            {
                await outbox.EnqueueSendAsync(Target(poll), Activity.CreateMessage(attachments: PollCards.Ask(poll, reminder: true).ToAttachment()),
                    ReminderKey(poll.Ticket, poll.Resolution), ct);
                await polls.UpdateAsync(poll.Ticket, poll.Resolution, p => p.RemindedAt is null ? p with { RemindedAt = clock.GetUtcNow() } : null, ct);
                sent++;
            }
            await polls.CompleteReminderAsync(due, ct);
        }
        return sent;
    }

    static OutboxTarget Target(PollRecord poll) => new(poll.ServiceUrl, poll.ConversationId);
}

public static class SurveyServiceCollectionExtensions
{
    public static IServiceCollection AddSurveys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SurveyOptions>().Bind(configuration.GetSection("Surveys"))
            .Validate(o => o.ReminderAfter >= TimeSpan.Zero && o.ReminderCheckInterval > TimeSpan.Zero,
                "Surveys: ReminderAfter must not be negative (0 turns reminders off) and ReminderCheckInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<PollStore>();
        services.AddSingleton<PollSender>();
        services.AddSingleton<PollAnswers>();
        services.AddHostedService<PollReminderService>();
        return services;
    }
}

// Every instance runs this; the timers live in Table Storage, so a restart loses none and two instances send one reminder.
public sealed class PollReminderService(PollSender sender, IOptions<SurveyOptions> options, TimeProvider clock, ILogger<PollReminderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.ReminderAfter <= TimeSpan.Zero) return;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await sender.SendDueRemindersAsync(stoppingToken);
                failing = false;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                if (!failing) logger.LogWarning(ex, "Poll reminders: cannot read the timers; retrying every {Interval}", options.Value.ReminderCheckInterval);
                failing = true;
            }
            try
            {
                await Task.Delay(options.Value.ReminderCheckInterval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
