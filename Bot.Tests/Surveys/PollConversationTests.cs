using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Surveys;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Surveys;

// The poll through the real turn pipeline, storage and outbox: who may click what, and what each click changes.
public sealed class PollConversationTests : InProcessBotTests
{
    const string Technician = "user-id-0";
    InProcessConversation? requesterOnce, channelOnce;
    InProcessConversation requester => requesterOnce ??= new InProcessConversation(Bot.Services);
    InProcessConversation channel => channelOnce ??= new InProcessConversation(Bot.Services, "team-id", conversationType: "channel");
    PollStore Polls => Bot.Services.GetRequiredService<PollStore>();

    async Task<(Ticket Ticket, JsonNode Poll)> ResolvedWithPollAsync(string problem = "the projector just died and my class is waiting right now")
    {
        var before = (await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Select(t => t.Number).ToHashSet();
        await requester.SendAsync(problem);
        var number = (await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Single(t => !before.Contains(t.Number)).Number;
        await channel.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number }, userId: Technician);
        await channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = number, ["resolution"] = "Replaced the lamp." }, userId: Technician);
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        var poll = await UntilAsync(() => requester.Calls.LastOrDefault(c => c.Method == HttpMethod.Post && c.Path.Contains("personal-1")
            && c.CardJson.Contains(PollCards.Question) && c.CardJson.Contains($"\"ticket\":{number}")));
        return (ticket, poll.Card!);
    }

    static async Task<T> UntilAsync<T>(Func<T?> find) where T : class
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (find() is { } found) return found;
            if (watch.Elapsed > TimeSpan.FromSeconds(15)) throw new TimeoutException("Not seen within 15 s");
            await Task.Delay(50);
        }
    }

    static JsonObject Data(JsonNode card, string title) =>
        (JsonObject)Actions(card).First(a => a["title"]!.GetValue<string>().EndsWith(title, StringComparison.Ordinal))["data"]!.DeepClone();

    static IEnumerable<JsonNode> Actions(JsonNode? node) => node switch
    {
        JsonObject o when o["type"]?.GetValue<string>() == "Action.Execute" => [o],
        JsonObject o => o.SelectMany(p => Actions(p.Value)),
        JsonArray a => a.SelectMany(Actions),
        _ => [],
    };

    static string Type(JsonNode response) => response["type"]!.GetValue<string>();

    [Fact]
    public async Task Resolving_sends_the_poll_with_five_answers_in_words()
    {
        var (ticket, poll) = await ResolvedWithPollAsync();

        var titles = Actions(poll).Select(a => a["title"]!.GetValue<string>()).ToList();
        Assert.Equal(["😞 Very dissatisfied", "🙁 Dissatisfied", "😐 Neither satisfied nor dissatisfied", "🙂 Satisfied", "😀 Very satisfied", "It's not fixed"], titles);
        Assert.Equal([1, 2, 3, 4, 5], Actions(poll).Take(5).Select(a => a["data"]!["rating"]!.GetValue<int>()));
        Assert.Equal(ticket.History.Last(e => e.Kind == TicketEventKind.Resolved).Seq, Actions(poll).First()["data"]!["resolution"]!.GetValue<int>());
    }

    [Fact]
    public async Task One_click_records_the_rating_and_thanks_in_place_and_a_second_click_or_another_user_changes_nothing()
    {
        var (ticket, poll) = await ResolvedWithPollAsync();

        var thanks = await requester.PressAsync(PollVerbs.Rate, Data(poll, "Very satisfied"));
        Assert.Equal("application/vnd.microsoft.card.adaptive", Type(thanks));
        Assert.Contains("Thank you!", thanks.ToJsonString());
        Assert.Contains(PollCards.FirstTimeFixQuestion, thanks.ToJsonString());

        var again = await requester.PressAsync(PollVerbs.Rate, Data(poll, "Very dissatisfied"));
        Assert.Contains("You already answered this poll", again.ToJsonString());
        var stranger = await requester.PressAsync(PollVerbs.Rate, Data(poll, "Very dissatisfied"), userId: "user-2");
        Assert.Equal("application/vnd.microsoft.error", Type(stranger));
        Assert.Contains("for the person who asked for help", stranger.ToJsonString());

        var yes = await requester.PressAsync(PollVerbs.FirstTimeFix, Data(thanks["value"]!, "Yes"));
        Assert.Contains("You said: Yes", yes.ToJsonString());
        var no = await requester.PressAsync(PollVerbs.FirstTimeFix, Data(thanks["value"]!, "No"));
        Assert.Contains("You already answered that", no.ToJsonString());
        var comment = Data(thanks["value"]!, "Send comment");
        comment["comment"] = "Quick and friendly, thank you";
        Assert.Contains("Your comment", (await requester.PressAsync(PollVerbs.Comment, comment)).ToJsonString());

        var stored = (await Polls.GetAsync(ticket.Number, PollRecord.CurrentResolution(ticket)!.Value, CancellationToken.None))!;
        Assert.Equal((5, true, "Quick and friendly, thank you"), (stored.Rating, stored.FirstTimeFix, stored.Comment));
        Assert.Equal((Technician, "classroom-av"), (stored.TechnicianId, stored.Category));
        var history = (await Tickets.GetAsync(ticket.Number, CancellationToken.None))!.History;
        Assert.Single(history, e => e.Kind == TicketEventKind.Feedback && e.Summary.StartsWith("Satisfaction: 5"));
        // A good rating tells nobody.
        await Task.Delay(500);
        Assert.DoesNotContain(requester.Calls, c => c.Path.Contains("messageid") && c.Text?.Contains("rated the support") == true);
    }

    [Fact]
    public async Task A_low_rating_shows_on_the_technicians_card_and_tells_the_assignee_in_the_thread()
    {
        var (ticket, poll) = await ResolvedWithPollAsync();

        await requester.PressAsync(PollVerbs.Rate, Data(poll, "Dissatisfied"));

        await requester.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{ticket.TechnicianCard!.ActivityId}")
            && c.CardJson.Contains("Requester feedback: Satisfaction: 2 of 5 (Dissatisfied)"));
        var told = await UntilAsync(() => requester.Calls.FirstOrDefault(c => c.Method == HttpMethod.Post && c.Path.Contains("messageid") && c.Text?.Contains("rated the support 2 of 5") == true));
        Assert.Contains(Uri.EscapeDataString($"team-id;messageid={ticket.TechnicianCard!.ActivityId}"), told.Path);
        Assert.StartsWith("<at>User user-id-0</at>", told.Text); // the technician who resolved it
        Assert.Equal(Technician, told.Body!["entities"]![0]!["mentioned"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Its_not_fixed_reopens_the_ticket_tells_the_technicians_and_the_old_poll_goes_out_of_date()
    {
        var (ticket, poll) = await ResolvedWithPollAsync();

        var answer = await requester.PressAsync(PollVerbs.NotFixed, Data(poll, "It's not fixed"));

        Assert.Contains("reopened ticket", answer.ToJsonString());
        var reopened = (await Tickets.GetAsync(ticket.Number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.InProgress, reopened.Status);
        var channelCard = await requester.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{ticket.TechnicianCard!.ActivityId}")
            && c.CardJson.Contains("Not fixed, said the requester"));
        Assert.Contains("In progress", channelCard.CardJson);
        await UntilAsync(() => requester.Calls.FirstOrDefault(c => c.Path.Contains("messageid") && c.Text?.Contains("says it's not fixed") == true));
        // Pressed again: said so, nothing reopened twice.
        Assert.Contains("already told me", (await requester.PressAsync(PollVerbs.NotFixed, Data(poll, "It's not fixed"))).ToJsonString());
        Assert.Single((await Tickets.GetAsync(ticket.Number, CancellationToken.None))!.History, e => e.Kind == TicketEventKind.Reopened);

        // Resolved again: a new poll; the old card still only says what was answered.
        await channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = ticket.Number, ["resolution"] = "Replaced the cable too." }, userId: Technician);
        var second = (await Tickets.GetAsync(ticket.Number, CancellationToken.None))!;
        await UntilAsync(() => requester.Calls.LastOrDefault(c => c.CardJson.Contains(PollCards.Question) && c.CardJson.Contains($"\"resolution\":{PollRecord.CurrentResolution(second)}")));
        Assert.Contains("already told me", (await requester.PressAsync(PollVerbs.Rate, Data(poll, "Satisfied"))).ToJsonString());
        Assert.Null((await Polls.GetAsync(ticket.Number, PollRecord.CurrentResolution(ticket)!.Value, CancellationToken.None))!.Rating);
    }

    [Fact]
    public async Task An_old_poll_card_after_a_reopen_and_a_new_resolution_is_out_of_date()
    {
        var (ticket, poll) = await ResolvedWithPollAsync();
        await channel.PressAsync(TechnicianVerbs.Reopen, new JsonObject { ["ticket"] = ticket.Number }, userId: Technician);
        await channel.PressAsync(TechnicianVerbs.Resolve, new JsonObject { ["ticket"] = ticket.Number, ["resolution"] = "Replaced the cable too." }, userId: Technician);

        var old = await requester.PressAsync(PollVerbs.Rate, Data(poll, "Satisfied"));

        Assert.Equal("application/vnd.microsoft.error", Type(old));
        Assert.Contains("out of date", old.ToJsonString());
        Assert.Null((await Polls.GetAsync(ticket.Number, PollRecord.CurrentResolution(ticket)!.Value, CancellationToken.None))!.Rating);
    }

    [Fact]
    public async Task A_forged_ticket_or_resolution_is_refused_and_records_nothing()
    {
        var (ticket, poll) = await ResolvedWithPollAsync();
        var other = Data(poll, "Satisfied");
        other["ticket"] = ticket.Number + 1;
        var made = Data(poll, "Satisfied");
        made["resolution"] = 99;
        var rating = Data(poll, "Satisfied");
        rating["rating"] = 9;

        foreach (var data in new[] { other, made, rating, new JsonObject { ["ticket"] = "x" } })
            Assert.Equal("application/vnd.microsoft.error", Type(await requester.PressAsync(PollVerbs.Rate, data)));

        Assert.Null((await Polls.GetAsync(ticket.Number, PollRecord.CurrentResolution(ticket)!.Value, CancellationToken.None))!.Rating);
    }
}
