using SupportBot.Protocol;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Technicians;

// What technicians type: queue, mine, ticket 1042, setup. Everyone else is told politely that these are not theirs.
public sealed class TechnicianCommands(ITicketStore tickets, TechnicianDirectory technicians, TechnicianChannel channel, SupportHours hours, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<TechnicianOptions> options)
{
    public Task OnCallAsync(TurnContext turn, CancellationToken ct) =>
        turn.SendActivityAsync(options.Value.OnCall is { Length: > 0 } onCall
            ? "On call for emergencies: " + string.Join(", ", onCall.Select(o => o.Name ?? o.Id)) + ". Set Support:OnCall to change it."
            : "Nobody is set as on call, so emergency cards mention no one. Set Support:OnCall (a list of Teams ids and names).", ct);

    public const string NotForYou = "Sorry, that command is for technicians. Type \"help\" to see what you can do.";

    public Task<bool> IsTechnicianAsync(TurnContext turn, CancellationToken ct) =>
        technicians.IsTechnicianAsync(turn.Activity.From, turn.Activity.ServiceUrl, ct);

    public async Task QueueAsync(TurnContext turn, CancellationToken ct) =>
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: QueueCard.Create("Open tickets", await tickets.ListOpenAsync(ct), hours, clock.GetUtcNow()).ToAttachment()), ct);

    public async Task MineAsync(TurnContext turn, CancellationToken ct)
    {
        var mine = (await tickets.ListByAssigneeAsync(turn.Activity.From!.Id!, ct)).Where(t => t.Status.IsOpen())
            .OrderBy(t => t.Urgency == Urgency.Emergency ? 0 : 1).ThenBy(t => t.FirstResponseDueAt).ToList();
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: QueueCard.Create("Assigned to you", mine, hours, clock.GetUtcNow()).ToAttachment()), ct);
    }

    // Any ticket's full card, with the buttons (this technician is the one who asked for it).
    public async Task ShowTicketAsync(TurnContext turn, int number, CancellationToken ct)
    {
        var ticket = number > 0 ? await tickets.GetAsync(number, ct) : null;
        await turn.SendActivityAsync(ticket is null
            ? Activity.CreateMessage($"There is no ticket #{number}.")
            : Activity.CreateMessage(attachments: TechnicianCard.Create(ticket, hours, clock.GetUtcNow(), withActions: true, [turn.Activity.From!.Id!]).ToAttachment()), ct);
    }

    // "setup" in a channel: new tickets go there from now on (stored, so every instance agrees).
    public async Task SetUpAsync(TurnContext turn, CancellationToken ct)
    {
        var data = turn.Activity.ChannelData;
        if (!technicians.IsConfiguredTechnician(turn.Activity.From))
        {
            await turn.SendActivityAsync("Only a technician listed in the bot's settings (Support:Technicians) can choose the tickets channel.", ct);
            return;
        }
        if (data?.Channel?.Id is not { } channelId)
        {
            await turn.SendActivityAsync("Type \"setup\" in the team channel where technicians should get new tickets.", ct);
            return;
        }
        await channel.SetAsync(new ChannelAddress(channelId, turn.Activity.ServiceUrl, data.Team?.Id, data.Tenant?.Id ?? turn.Activity.Conversation?.TenantId), ct);
        await turn.SendActivityAsync($"Done: new tickets will be posted in this channel{(data.Channel.Name is { } name ? $" ({name})" : "")}. " +
            "Emergencies come first and mention whoever is on call.", ct);
    }
}
