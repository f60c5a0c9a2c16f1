using SupportBot.Protocol;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Technicians;

// What technicians type: queue, mine, ticket 1042, setup, oncall. Everyone else is told politely that these are not theirs.
public sealed class TechnicianCommands(ITicketStore tickets, TechnicianDirectory technicians, TechnicianChannel channel, SupportHours hours, TimeProvider clock,
    OnCallRota rota)
{
    const int ChangesShown = 10;

    public const string HowToSetOnCall = "To set it: Support:OnCall (always on call: a list of Id and Name) or Support:OnCallRota " +
        "(weekly shifts with a time zone). Ids are Teams ids (29:...) or AAD object ids.";

    // Who is on call now and who takes over next during the coming week, in the rota's time zone.
    public async Task OnCallAsync(TurnContext turn, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var onCall = await technicians.MentionableAsync(rota.At(now), turn.Activity.ServiceUrl, ct);
        var changes = rota.ChangesBetween(now, now.AddDays(7));
        await turn.SendActivityAsync(await OnCallTextAsync(onCall, changes, turn.Activity.ServiceUrl, ct), ct);
    }

    async Task<string> OnCallTextAsync(IReadOnlyList<ChannelAccount> onCall, IReadOnlyList<OnCallChange> changes, string? serviceUrl, CancellationToken ct)
    {
        if (onCall.Count == 0 && changes.Count == 0)
            return "Nobody is on call, so emergency cards mention no one. " + HowToSetOnCall;
        var lines = new List<string>
        {
            onCall.Count == 0
                ? "Nobody is on call right now, so emergency cards mention no one. " + HowToSetOnCall
                : "On call now: " + Names(onCall) + ".",
        };
        if (rota.HasRota)
        {
            var zone = rota.Zone.Id;
            if (changes.Count == 0) lines.Add($"No changes in the coming week (rota times are {zone}).");
            else
            {
                lines.Add($"Next changes this week ({zone} time):");
                foreach (var change in changes.Take(ChangesShown))
                {
                    var people = await technicians.MentionableAsync(change.OnCall, serviceUrl, ct);
                    lines.Add($"- {TimeZoneInfo.ConvertTime(change.At, rota.Zone):ddd HH:mm}: {(people.Count == 0 ? "nobody" : Names(people))}");
                }
                if (changes.Count > ChangesShown) lines.Add($"- …and {changes.Count - ChangesShown} more.");
            }
        }
        return string.Join("\n\n", lines);
    }

    static string Names(IEnumerable<ChannelAccount> people) => string.Join(", ", people.Select(p => p.Name ?? p.Id));

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
