using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Knowledge;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Knowledge;

// The guided walkthrough through the Agents Playground: the suggestion card becomes one step at a time, in place,
// and ends in a deflection or in a ticket that says how far the requester got.
public sealed class WalkthroughPlaygroundTests : IAsyncLifetime
{
    const string NoSignal = "the projector in room 6 says no signal, how do I fix it";
    // Issue 10's acceptance message: a class arriving makes it an emergency, filed at once, with the fix to try while
    // a technician comes.
    const string IssueMessage = "hi, the beamer in rm 6 says no signal and the kids are coming in 10 mins";

    LocalStack stack = null!;
    Playground Playground => stack.Playground;
    ITicketStore Tickets => stack.Bot.Services.GetRequiredService<ITicketStore>();
    ArticleFeedbackStore Feedback => stack.Bot.Services.GetRequiredService<ArticleFeedbackStore>();

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: true);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public Task Walk_me_through_it_advances_in_place_and_Still_not_working_files_a_ticket_naming_the_steps_tried() =>
        StillNotWorkingAfterThreeStepsAsync(NoSignal);

    [Fact]
    public async Task The_issue_10_message_is_filed_at_once_and_walks_through_the_no_signal_fix_while_a_technician_comes()
    {
        var (card, step) = await WalkAsync(IssueMessage);
        Assert.Contains("While you wait", Text(card.Card!));
        var number = Assert.Single(await Tickets.ListByRequesterAsync(Playground.CurrentUserId, CancellationToken.None)).Number;
        Assert.Equal(SupportBot.Triage.Urgency.Emergency, (await Tickets.GetAsync(number, CancellationToken.None))!.Urgency);
        Assert.Contains("Step 1 of 7", Text(step));
        step = await PressAsync(card, step, "Done, next");
        Assert.Contains("Step 2 of 7", Text(step));
        step = await PressAsync(card, step, "Done, next");
        Assert.Contains("Step 3 of 7", Text(step));

        var ticketCard = Text(await PressAsync(card, step, "Still not working"));

        Assert.Contains($"Ticket #{number}", ticketCard);
        Assert.Contains("You tried steps 1-3 of 'Projector says \"No signal\"'", ticketCard);
        Assert.Single(await Tickets.ListByRequesterAsync(Playground.CurrentUserId, CancellationToken.None));
        await Playground.NextAsync(e => e.Action == "updateMessage" && e.CardText.Contains($"Ticket #{number}") && e.CardText.Contains("tried steps 1-3"));
    }

    [Fact]
    public async Task The_issue_10_message_fixed_while_waiting_closes_its_ticket_and_records_a_deflection()
    {
        var (card, step) = await WalkAsync(IssueMessage);
        var number = Assert.Single(await Tickets.ListByRequesterAsync(Playground.CurrentUserId, CancellationToken.None)).Number;

        var answer = Text(await PressAsync(card, step, "That fixed it"));

        Assert.Contains($"closed ticket #{number}", answer);
        Assert.Equal(SupportBot.Tickets.TicketStatus.Cancelled, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", CancellationToken.None)).Deflections);
    }

    [Fact]
    public async Task That_fixed_it_in_a_walkthrough_records_a_deflection_and_files_no_ticket()
    {
        var (card, step) = await WalkAsync(NoSignal);
        step = await PressAsync(card, step, "Done, next");
        Assert.Contains("Step 2 of 7", Text(step));

        var answer = await PressAsync(card, step, "That fixed it");

        Assert.Contains("Glad that fixed it", Text(answer));
        Assert.Contains("No signal", Text(answer));
        Assert.Empty(await Tickets.ListByRequesterAsync(Playground.CurrentUserId, CancellationToken.None));
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", CancellationToken.None)).Deflections);
    }

    async Task StillNotWorkingAfterThreeStepsAsync(string message)
    {
        var (card, step) = await WalkAsync(message);
        Assert.Contains("Step 1 of 7", Text(step));
        step = await PressAsync(card, step, "Done, next");
        Assert.Contains("Step 2 of 7", Text(step));
        step = await PressAsync(card, step, "Done, next");
        Assert.Contains("Step 3 of 7", Text(step));

        var ticketCard = Text(await PressAsync(card, step, "Still not working"));

        var summary = Assert.Single(await Tickets.ListByRequesterAsync(Playground.CurrentUserId, CancellationToken.None));
        Assert.Contains($"Ticket #{summary.Number}", ticketCard);
        Assert.Contains("You tried steps 1-3 of 'Projector says \"No signal\"'", ticketCard);
        var channelCard = await Playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains($"Ticket #{summary.Number}") && e.CardText.Contains("Self-help"));
        Assert.Contains("tried steps 1-3 of 'Projector says \"No signal\"' (3 of 7)", Text(channelCard.Card!));
        Assert.Equal(0, (await Feedback.GetAsync("projector-no-signal", CancellationToken.None)).Deflections);
    }

    // The suggestion card, and the first step it turned into.
    async Task<(PlaygroundEvent Card, JsonNode Step)> WalkAsync(string message)
    {
        await Playground.SendMessageAsync(message);
        var card = await Playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Walk me through it"));
        Assert.Contains("Projector says", Text(card.Card!));
        return (card, await PressAsync(card, card.Card!, "Walk me through it"));
    }

    // A button on the card as it now reads (the card the last press returned), pressed on the same message.
    async Task<JsonNode> PressAsync(PlaygroundEvent message, JsonNode card, string title)
    {
        var action = Search(card, title) ?? throw new InvalidOperationException($"No Action.Execute titled '{title}' in {Text(card)}");
        var response = await Playground.InvokeActionAsync(message.MessageId!, action["verb"]!.GetValue<string>(), action["data"]);
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]?.GetValue<string>());
        return body["value"]!;
    }

    // Every text on the card, as the user reads it.
    static string Text(JsonNode card) => string.Join("\n", Texts(card));

    static IEnumerable<string> Texts(JsonNode? node) => node switch
    {
        JsonObject obj => obj.SelectMany(p => p.Key is "text" or "title" && p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? [s] : Texts(p.Value)),
        JsonArray array => array.SelectMany(Texts),
        _ => [],
    };

    static JsonNode? Search(JsonNode? node, string title) => node switch
    {
        JsonObject obj when obj["type"]?.GetValue<string>() == "Action.Execute" && obj["title"]?.GetValue<string>() == title => obj,
        JsonObject obj => obj.Select(p => Search(p.Value, title)).FirstOrDefault(n => n is not null),
        JsonArray array => array.Select(n => Search(n, title)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}
