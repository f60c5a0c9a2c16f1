using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Incidents;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Incidents;

// The acceptance run through the Agents Playground: four of its users report the Wi-Fi outage in their words.
public sealed class MajorIncidentPlaygroundTests : IAsyncLifetime
{
    // The card's words without the apostrophe (the stream's JSON escapes it).
    const string WeAlreadyKnow = "We already know about this and are working on it";
    LocalStack stack = null!;
    Playground playground => stack.Playground;
    ITicketStore Tickets => stack.Bot.Services.GetRequiredService<ITicketStore>();

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: true);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task Four_alike_reports_from_four_users_give_one_incident_card_four_linked_tickets_and_four_we_already_know_answers_and_resolving_notifies_all_four()
    {
        (string User, string Text)[] reports =
        [
            ("user-id-0", "the wifi is down for the whole school right now"),
            ("user-id-1", "wifi is down in the whole building, nobody can get online right now"),
            ("user-id-2", "no wifi anywhere in the school right now, everyone is offline"),
            ("user-id-3", "the wi-fi is down across the whole school right now"),
        ];
        var requesterCards = new List<PlaygroundEvent>();
        PlaygroundEvent? incidentCard = null;
        foreach (var (user, text) in reports)
        {
            if (user == playground.CurrentUserId) await playground.SendMessageAsync(text);
            else await playground.SendAsUserAsync(user, text);
            var number = await NumberOfAsync(user);
            requesterCards.Add(await NextAsync(e => e.Action == "createMessage" && e.CardText.Contains($"Ticket #{number}") && e.CardText.Contains("Add details")));
            if (requesterCards.Count == 3)
                incidentCard = await NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Possible major incident"));
        }

        // The third and fourth heard "we already know" at once; the first two on their card, updated in place.
        Assert.DoesNotContain(WeAlreadyKnow, requesterCards[0].CardText);
        Assert.Contains(WeAlreadyKnow, requesterCards[2].CardText);
        Assert.Contains(WeAlreadyKnow, requesterCards[3].CardText);
        Assert.Contains("3 reports of Wi-Fi down", incidentCard!.CardText);
        var four = await NextAsync(e => e.Action == "updateMessage" && e.MessageId == incidentCard.MessageId && e.CardText.Contains("4 reports of Wi-Fi down"));

        var tickets = new List<Ticket>();
        foreach (var (user, _) in reports)
            tickets.Add((await Tickets.GetAsync(await NumberOfAsync(user), CancellationToken.None))!);
        var incidentId = Assert.Single(tickets.Select(t => t.MajorIncident).Distinct());
        Assert.NotNull(incidentId);
        foreach (var t in tickets[..2])
            Assert.Contains(WeAlreadyKnow, (await LatestAsync(t.RequesterCard!.ActivityId)).CardText);
        var open = await Tickets.ListOpenAsync(CancellationToken.None);
        Assert.Single(open, s => s.RequesterId == MajorIncidents.Parent.TeamsId);

        // Alex (user-id-0) is the technician in Development. He resolves the parent ticket from its technician card
        // ("ticket N" in the chat: the Playground refuses an invoke whose card is in another conversation, and stops
        // streaming the chat after an invoke in the team thread). The incident card's own Resolve is tested in-process.
        var parent = (await stack.Bot.Services.GetRequiredService<MajorIncidentStore>().GetAsync(incidentId!, CancellationToken.None))!.Value.Incident.ParentNumber!.Value;
        await playground.SendMessageAsync($"ticket {parent}");
        var parentCard = await NextAsync(e => e.Action == "createMessage" && e.CardText.Contains($"Ticket #{parent}") && e.CardText.Contains("Resolve"));
        Assert.Contains("Major incident: resolving this ticket resolves every linked ticket", parentCard.CardText);
        var response = await playground.InvokeActionAsync(parentCard.MessageId!, SupportBot.Technicians.TechnicianVerbs.Resolve,
            new JsonObject { ["ticket"] = parent, ["resolution"] = "The core switch was restarted; Wi-Fi is back." });
        Assert.Contains("Resolved", await response.Content.ReadAsStringAsync());

        // The four are resolved in parallel: their messages may come in any order.
        var pending = tickets.Select(t => $"Ticket #{t.Number} is resolved: The core switch was restarted").ToHashSet();
        while (pending.Count > 0)
            await NextAsync(e => e.Action == "createMessage" && e.Text is { } text && pending.RemoveWhere(text.Contains) > 0, TimeSpan.FromSeconds(30));
        foreach (var t in tickets)
        {
            Assert.Equal(TicketStatus.Resolved, (await Tickets.GetAsync(t.Number, CancellationToken.None))!.Status);
            Assert.Contains("Reopen", (await LatestAsync(t.RequesterCard!.ActivityId)).CardText);
        }
        Assert.Contains("Major incident resolved", (await LatestAsync(incidentCard.MessageId!)).CardText);
    }

    readonly Dictionary<string, PlaygroundEvent> seen = [];

    // Every event read is remembered by message id, so the latest version of any message can be checked later.
    Task<PlaygroundEvent> NextAsync(Func<PlaygroundEvent, bool> match, TimeSpan? timeout = null) =>
        playground.NextAsync(e =>
        {
            if (e.MessageId is { } id) seen[id] = e;
            return match(e);
        }, timeout);

    // Events are consumed as they are read; the last one seen for a message is kept for later assertions.
    async Task<PlaygroundEvent> LatestAsync(string messageId)
    {
        while (true)
        {
            try
            {
                await NextAsync(_ => false, TimeSpan.FromSeconds(2));
            }
            catch (TimeoutException)
            {
                break;
            }
        }
        return seen.TryGetValue(messageId, out var latest) ? latest : throw new InvalidOperationException($"No event for message {messageId}.");
    }

    async Task<int> NumberOfAsync(string user)
    {
        for (var i = 0; i < 100; i++)
        {
            if ((await Tickets.ListByRequesterAsync(user, CancellationToken.None)).FirstOrDefault() is { } t
                && (await Tickets.GetAsync(t.Number, CancellationToken.None))?.RequesterCard is not null)
                return t.Number;
            await Task.Delay(100);
        }
        throw new TimeoutException($"No ticket with a card for {user}.");
    }

    static JsonNode? FindAction(JsonNode card, string title) => card switch
    {
        JsonObject obj when obj["type"]?.GetValue<string>() == "Action.Execute" && obj["title"]?.GetValue<string>() == title => obj,
        JsonObject obj => obj.Select(p => p.Value is null ? null : FindAction(p.Value, title)).FirstOrDefault(n => n is not null),
        JsonArray array => array.Select(n => n is null ? null : FindAction(n, title)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}
