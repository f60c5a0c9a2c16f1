using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;
using SupportBot.Triage;

namespace SupportBot.Tests.Conversations;

// Conversation rules through the real turn pipeline and real storage (Azurite), without HTTP or the Playground.
public sealed class InProcessConversationTests : InProcessBotTests
{
    InProcessConversation? chatOnce;
    InProcessConversation chat => chatOnce ??= new InProcessConversation(Bot.Services);

    IReadOnlyList<RecordedCall> RequesterCards => [.. chat.Cards.Where(c => c.Path.Contains("personal-1"))];

    [Fact]
    public async Task The_same_activity_delivered_three_times_files_one_ticket_and_posts_one_card()
    {
        for (var i = 0; i < 3; i++)
            await chat.SendAsync("the wifi is down for the whole school right now", activityId: "same-activity");

        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        Assert.Single(chat.Cards, c => c.Method == HttpMethod.Post && c.Path.Contains("personal-1") && c.Card!.ToJsonString().Contains("Ticket #"));
        // The channel post comes from the outbox: once its id is on the ticket it has been sent, and a second copy
        // would have been queued before the sentinel that follows it.
        await TicketWhenAsync(number, t => t.TechnicianCard is not null);
        await Bot.Services.GetRequiredService<SupportBot.Proactive.Outbox>().EnqueueSendAsync(
            new SupportBot.Proactive.OutboxTarget(InProcessConversation.ServiceUrl, "team-id"), SupportBot.Protocol.Activity.CreateMessage("sentinel"), "sentinel", CancellationToken.None);
        await chat.WaitForAsync(c => c.Path.EndsWith("/team-id/activities") && c.Text == "sentinel");
        Assert.Single(chat.Cards, c => c.Method == HttpMethod.Post && c.Path.Contains("/team-id/") && c.Card!.ToJsonString().Contains("EMERGENCY"));
    }

    [Fact]
    public async Task The_same_activity_reaching_two_bot_instances_files_one_ticket()
    {
        await using var second = await InProcessConversation.StartBotAsync(Azurite.ConnectionString);
        var other = new InProcessConversation(second.Services);

        await Task.WhenAll(
            chat.SendAsync("the wifi is down for the whole school right now", activityId: "twice"),
            other.SendAsync("the wifi is down for the whole school right now", activityId: "twice"));

        Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
    }

    [Theory]
    [InlineData("my tickets", "Your tickets")]
    [InlineData("status 1001", "couldn't find ticket #1001")]
    [InlineData("#1001", "couldn't find ticket #1001")]
    [InlineData("status 99999999999", "couldn't find ticket")]
    [InlineData("help", "status 1042")]
    [InlineData("status", "Which ticket?")]
    [InlineData("<at>SupportBot</at> my tickets", "Your tickets")]
    public async Task A_command_is_answered_and_never_becomes_a_ticket(string text, string answer)
    {
        await chat.SendAsync(text);

        var reply = Assert.Single(chat.Calls);
        Assert.Contains(answer, (reply.Text ?? "") + reply.Card?.ToJsonString());
        Assert.Empty(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
    }

    [Theory]
    [InlineData("hi")]
    [InlineData("hello there")]
    [InlineData("thank you so much!")]
    [InlineData("asdfgh")]
    [InlineData("it's broken")]
    [InlineData("help me please")]
    public async Task Small_talk_and_vague_messages_get_a_friendly_answer_without_a_ticket_or_a_question(string text)
    {
        await chat.SendAsync(text);

        var reply = Assert.Single(chat.Calls);
        Assert.NotNull(reply.Text);
        Assert.Null(reply.Card);
        Assert.Empty(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
    }

    [Fact]
    public async Task Another_users_click_on_a_ticket_card_is_refused_and_changes_nothing()
    {
        await chat.SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;

        foreach (var verb in new[] { TicketVerbs.AddDetails, TicketVerbs.Cancel, TicketVerbs.SetLocation })
        {
            var answer = await chat.PressAsync(verb, new JsonObject { ["ticket"] = number, ["details"] = "forged", ["location"] = "forged" }, userId: "user-2");
            Assert.Equal("application/vnd.microsoft.error", answer["type"]?.GetValue<string>());
        }
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.New, ticket.Status);
        Assert.Single(ticket.History);
    }

    [Fact]
    public async Task A_forged_urgency_answer_is_refused_and_the_first_answer_stands()
    {
        await chat.SendAsync("projector not working");
        var question = RequesterCards[^1].Card!;
        var yes = question["actions"]![0]!["data"]!;

        var forged = await chat.PressAsync("request.urgency", yes, userId: "user-2");
        Assert.Equal("application/vnd.microsoft.error", forged["type"]?.GetValue<string>());

        await chat.PressAsync("request.urgency", yes);
        var no = question["actions"]![1]!["data"]!;
        await chat.PressAsync("request.urgency", no); // a later, different click on the same card
        var ticket = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
        Assert.Equal(Urgency.Emergency, ticket.Urgency);
    }

    [Fact]
    public async Task A_security_incident_shows_the_do_this_now_steps_on_its_ticket_card()
    {
        await chat.SendAsync("I clicked a link in an email and typed my password into the page");

        var card = RequesterCards[^1].Card!.ToJsonString();
        Assert.Contains("Do this now", card);
        Assert.Contains("change it now", card);
        Assert.Contains("EMERGENCY", card);
    }

    [Fact]
    public async Task A_long_note_is_cut_with_a_clear_message_and_a_cancelled_ticket_takes_no_more_details()
    {
        await chat.SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;

        var added = await chat.PressAsync(TicketVerbs.AddDetails, new JsonObject { ["ticket"] = number, ["details"] = new string('d', 3000) });
        Assert.Contains("kept the first 2,000 characters", added.ToJsonString());
        Assert.Equal(TicketLimits.NoteChars, (await Tickets.GetAsync(number, CancellationToken.None))!.NotesForRequester.Single().Text!.Length);

        await chat.PressAsync(TicketVerbs.Cancel, new JsonObject { ["ticket"] = number });
        var refused = await chat.PressAsync(TicketVerbs.AddDetails, new JsonObject { ["ticket"] = number, ["details"] = "more" });
        Assert.Contains("closed", refused.ToJsonString());
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.Cancelled, ticket.Status);
        Assert.NotNull(ticket.ClosedAt);
        Assert.Single(ticket.NotesForRequester);
    }

    [Fact]
    public async Task Where_are_you_saves_the_place_and_stops_asking()
    {
        await chat.SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        Assert.True((await Tickets.GetAsync(number, CancellationToken.None))!.AskForLocation);

        var card = (await chat.PressAsync(TicketVerbs.SetLocation, new JsonObject { ["ticket"] = number, ["location"] = "Room 14, first floor" })).ToJsonString();

        Assert.Contains("Room 14, first floor", card);
        Assert.DoesNotContain("Where are you?", card);
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal("Room 14, first floor", ticket.Location);
        Assert.False(ticket.AskForLocation);
        Assert.Contains(ticket.History, e => e.Kind == TicketEventKind.LocationGiven);
    }

    [Fact]
    public async Task An_emergency_that_names_its_room_is_not_asked_where_it_is()
    {
        await chat.SendAsync("the projector in room 12 just died and my class is waiting right now");

        var ticket = (await Tickets.GetAsync(Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number, CancellationToken.None))!;
        Assert.Equal("room 12", ticket.Location);
        Assert.False(ticket.AskForLocation);
        Assert.DoesNotContain("Where are you?", RequesterCards[^1].Card!.ToJsonString());
    }

    [Fact]
    public async Task A_mention_is_stripped_before_triage_and_the_ticket_keeps_only_what_was_written()
    {
        await chat.RunAsync(new SupportBot.Protocol.Activity
        {
            Type = SupportBot.Protocol.ActivityTypes.Message,
            Id = "with-mention",
            Text = "<at>SupportBot</at> the wifi is down for the whole school right now",
        }, "user-1");

        var ticket = (await Tickets.GetAsync(Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number, CancellationToken.None))!;
        Assert.Equal("the wifi is down for the whole school right now", ticket.Problem);
        Assert.Equal(Urgency.Emergency, ticket.Urgency);
    }

    [Fact]
    public async Task The_same_card_action_delivered_twice_adds_one_note_and_an_empty_box_says_what_to_do()
    {
        await chat.SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None)).Number;

        var data = new JsonObject { ["ticket"] = number, ["details"] = "the lamp is blinking" };
        await chat.PressAsync(TicketVerbs.AddDetails, data, activityId: "invoke-1");
        await chat.PressAsync(TicketVerbs.AddDetails, data, activityId: "invoke-1"); // redelivered
        var empty = await chat.PressAsync(TicketVerbs.AddDetails, new JsonObject { ["ticket"] = number, ["details"] = "  " });

        Assert.Single((await Tickets.GetAsync(number, CancellationToken.None))!.NotesForRequester);
        Assert.Contains("Type the details in the box first", empty.ToJsonString());
    }

    [Fact]
    public async Task Try_again_with_a_command_in_it_files_nothing()
    {
        var answer = await chat.PressAsync("request.retry", new JsonObject { ["text"] = "my tickets", ["activityId"] = "old" });

        Assert.Equal("application/vnd.microsoft.error", answer["type"]?.GetValue<string>());
        Assert.Empty(await Tickets.ListByRequesterAsync("user-1", CancellationToken.None));
    }
}
