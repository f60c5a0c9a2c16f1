using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Surveys;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Surveys;

// The acceptance walk through the Agents Playground: a technician resolves, the requester gets the poll, one click is
// recorded and thanked in place, repeated and foreign clicks change nothing, and "It's not fixed" reopens another ticket.
// Alex (user-id-0) is both requester and technician in Development, as in the technicians' Playground test.
public sealed class PollPlaygroundTests : IAsyncLifetime
{
    LocalStack stack = null!;
    Playground playground => stack.Playground;
    ITicketStore Tickets => stack.Bot.Services.GetRequiredService<ITicketStore>();
    PollStore Polls => stack.Bot.Services.GetRequiredService<PollStore>();

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: true);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    async Task<(int Number, PlaygroundEvent ChannelCard, PlaygroundEvent Poll)> FileAndResolveAsync(string problem)
    {
        var known = (await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None)).Select(t => t.Number).ToHashSet();
        await playground.SendMessageAsync(problem);
        await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Add details"));
        var channelCard = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("EMERGENCY"));
        var number = (await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None)).Single(t => !known.Contains(t.Number)).Number;
        for (var i = 0; i < 50 && (await Tickets.GetAsync(number, CancellationToken.None))!.RequesterCard is null; i++) await Task.Delay(100);

        await playground.SendMessageAsync($"ticket {number}");
        var technicianCard = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Assign to me") && e.CardText.Contains($"#{number}"));
        var resolved = await playground.InvokeActionAsync(technicianCard.MessageId!, TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Replaced the lamp." });
        Assert.Contains("Replaced the lamp", await resolved.Content.ReadAsStringAsync());
        var poll = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains(PollCards.Question) && e.CardText.Contains($"#{number}"));
        return (number, channelCard, poll);
    }

    // replyTo: the message the press comes from, when it is not the card itself (someone else is only known to the
    // Playground where they are a member, so Megan's press comes from a message in the team's channel).
    async Task<JsonNode> PressAsync(PlaygroundEvent card, string title, string? userId = null, JsonNode? on = null, PlaygroundEvent? replyTo = null)
    {
        var action = Search(on ?? card.Card!, title) ?? throw new InvalidOperationException($"No button '{title}'");
        var response = await playground.InvokeActionAsync((replyTo ?? card).MessageId!, action["verb"]!.GetValue<string>(), action["data"],
            conversationId: replyTo is null ? null : $"team-id;messageid={replyTo.MessageId}", userId: userId);
        // An error answer (statusCode 400 in the body) comes back from the Playground as HTTP 400 with that body.
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode || body.Contains("application/vnd.microsoft.error"), $"{(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task Resolve_poll_one_click_thanks_in_place_then_repeats_and_strangers_change_nothing_and_not_fixed_reopens()
    {
        var (number, firstChannelCard, poll) = await FileAndResolveAsync("the projector just died and my class is waiting right now");
        var resolution = PollRecord.CurrentResolution((await Tickets.GetAsync(number, CancellationToken.None))!)!.Value;

        var thanks = await PressAsync(poll, "😀 Very satisfied");
        Assert.Equal("application/vnd.microsoft.card.adaptive", thanks["type"]!.GetValue<string>());
        Assert.Contains("Thank you!", thanks.ToJsonString());
        var yes = await PressAsync(poll, "Yes", on: thanks["value"]);
        Assert.Contains("You said: Yes", yes.ToJsonString());
        var stored = (await Polls.GetAsync(number, resolution, CancellationToken.None))!;
        Assert.Equal((5, true), (stored.Rating, stored.FirstTimeFix));

        var second = await PressAsync(poll, "😞 Very dissatisfied");
        Assert.Contains("You already answered this poll", second.ToJsonString());
        Assert.Equal(5, (await Polls.GetAsync(number, resolution, CancellationToken.None))!.Rating);

        var (other, channelCard, otherPoll) = await FileAndResolveAsync("the wifi is down for the whole school right now");
        var notFixed = await PressAsync(otherPoll, "It's not fixed");

        Assert.Contains("reopened ticket", notFixed.ToJsonString());
        Assert.Equal(TicketStatus.InProgress, (await Tickets.GetAsync(other, CancellationToken.None))!.Status);
        var technicians = await playground.NextAsync(e => e.Action == "updateMessage" && e.MessageId == channelCard.MessageId && e.CardText.Contains("Not fixed, said the requester"));
        Assert.Contains("In progress", technicians.CardText);

        // Last, because the Playground stops streaming the personal chat after an invoke in the team's thread.
        var stranger = await PressAsync(poll, "😞 Very dissatisfied", userId: "user-id-1", replyTo: firstChannelCard);
        Assert.Equal("application/vnd.microsoft.error", stranger["type"]!.GetValue<string>());
        Assert.Contains("for the person who asked for help", stranger.ToJsonString());
        Assert.Equal(5, (await Polls.GetAsync(number, resolution, CancellationToken.None))!.Rating);
    }

    static JsonNode? Search(JsonNode? node, string title) => node switch
    {
        JsonObject obj when obj["type"]?.GetValue<string>() == "Action.Execute" && obj["title"]?.GetValue<string>() == title => obj,
        JsonObject obj => obj.Select(p => Search(p.Value, title)).FirstOrDefault(n => n is not null),
        JsonArray array => array.Select(n => Search(n, title)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}
