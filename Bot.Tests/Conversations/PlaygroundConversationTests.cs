using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Knowledge;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Triage;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Conversations;

// The bot and a real Teams stand-in (the Agents Playground) talking over HTTP, with tables in Azurite.
public sealed class PlaygroundConversationTests : IAsyncLifetime
{
    LocalStack stack = null!;
    BotServer bot => stack.Bot;
    Playground playground => stack.Playground;

    public async Task InitializeAsync() => stack = await LocalStack.StartAsync(connectStream: true);

    public async Task DisposeAsync() => await stack.DisposeAsync();

    [Fact]
    public async Task Installing_the_bot_shows_the_welcome_card()
    {
        await playground.SendCustomActivityAsync("install");

        var welcome = await playground.NextAsync(e => e.Action == "createMessage" && e.Card is not null);
        Assert.Contains("IT help desk", welcome.CardText);
        Assert.Contains("emergency", welcome.CardText);
    }

    [Fact]
    public async Task A_clear_emergency_is_filed_at_once_with_a_numbered_ticket_card_asking_where_you_are()
    {
        await playground.SendMessageAsync("the projector just died and my class is waiting right now");

        var card = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Add details"));
        Assert.Contains("EMERGENCY", card.CardText);
        Assert.Contains("Where are you?", card.CardText);
        Assert.Contains("Add details", card.CardText);
        var ticket = Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
        Assert.Contains($"Ticket #{ticket.Number}", card.CardText);
        Assert.Equal(Urgency.Emergency, ticket.Urgency);
        var stored = await WithRequesterCardAsync(ticket.Number);
        Assert.Equal(card.MessageId, stored.RequesterCard?.ActivityId);
        Assert.Equal("Alex Wilber", stored.Requester.Name);
        Assert.True(stored.Requester.Email == "alexw@example.com", System.Text.Json.JsonSerializer.Serialize(stored.Requester));
    }

    [Fact]
    public async Task Unsure_then_Yes_right_now_files_an_emergency_ticket_with_the_where_are_you_field()
    {
        await playground.SendMessageAsync("my projector is down");
        var question = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Yes, right now"));
        Assert.Contains("Is this stopping a class", question.CardText);
        Assert.DoesNotContain("my projector is down", FindAction(question.Card!, "Yes, right now")["data"]!.ToJsonString());
        Assert.Empty(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));

        var body = (await PressAsync(question, "Yes, right now")).ToJsonString();

        var ticket = Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
        Assert.Contains($"Ticket #{ticket.Number}", body);
        Assert.Contains("Where are you?", body);
        Assert.Equal(Urgency.Emergency, ticket.Urgency);
        Assert.Equal(question.MessageId, (await Tickets.GetAsync(ticket.Number, CancellationToken.None))!.RequesterCard?.ActivityId);

        // A double click on the old card files nothing more.
        await PressAsync(question, "Yes, right now");
        Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
    }

    [Fact]
    public async Task Unsure_then_No_it_can_wait_offers_the_projector_articles_first()
    {
        await playground.SendMessageAsync("my projector is down");
        var question = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("No, it can wait"));

        var body = (await PressAsync(question, "No, it can wait")).ToJsonString();

        Assert.Contains("This fixed it", body);
        Assert.Contains("rojector", body);
        Assert.Empty(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
    }

    [Theory]
    [InlineData("hi")]
    [InlineData("thanks!")]
    [InlineData("asdfgh")]
    public async Task Greetings_thanks_and_gibberish_get_a_friendly_answer_and_no_ticket(string text)
    {
        await playground.SendMessageAsync(text);

        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.Text is { Length: > 0 });
        Assert.Matches("(?i)welcome|tell me what's wrong", reply.Text!);
        Assert.DoesNotContain("Ticket #", reply.ToString());
        await playground.SendMessageAsync("help");
        var help = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("my tickets"));
        Assert.Contains("status 1042", help.CardText);
        Assert.Empty(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
    }

    [Fact]
    public async Task After_a_restart_my_tickets_and_status_show_the_ticket_and_nobody_else_can_see_it()
    {
        await playground.SendMessageAsync("the projector just died and my class is waiting right now");
        await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Add details"));
        var number = Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None)).Number;

        await stack.RestartBotAsync();

        await playground.SendMessageAsync("my tickets");
        var list = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Your tickets"));
        Assert.Contains($"#{number}", list.CardText);
        Assert.Contains("projector just died", list.CardText);

        await playground.SendMessageAsync($"status #{number}");
        var status = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains($"Ticket #{number}"));
        Assert.Contains("my class is waiting", status.CardText);

        await playground.SendAsUserAsync("user-id-1", $"status {number}");
        var other = await playground.NextAsync(e => e.Action == "createMessage" && e.Text?.Contains("couldn't find") == true);
        Assert.DoesNotContain("projector", other.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Add_details_on_the_card_adds_a_note_and_the_card_updates_in_place()
    {
        await playground.SendMessageAsync("the projector just died and my class is waiting right now");
        var card = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Add details"));
        var add = FindAction(card.Card!, "Add details");
        var data = add["data"]!.DeepClone();
        data["details"] = "It's room 14, the lamp light is blinking orange";

        var response = await playground.InvokeActionAsync(card.MessageId!, add["verb"]!.GetValue<string>(), data);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(body.Contains("the lamp light is blinking orange"), body);
        Assert.Contains("application/vnd.microsoft.card.adaptive", body);
        var ticket = (await Tickets.GetAsync(Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None)).Number, CancellationToken.None))!;
        Assert.Contains(ticket.NotesForRequester, n => n.Text == "It's room 14, the lamp light is blinking orange");
    }

    [Fact]
    public async Task A_resolved_ticket_card_is_updated_in_place_and_offers_Reopen()
    {
        await playground.SendMessageAsync("the projector just died and my class is waiting right now");
        var card = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Add details"));
        var number = Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None)).Number;
        await WithRequesterCardAsync(number);

        var desk = bot.Services.GetRequiredService<TicketDesk>();
        var resolved = await desk.ResolveAsync(number, new Person("user-id-1", "Megan Bowen"), "Replaced the HDMI cable.", CancellationToken.None);
        await bot.Services.GetRequiredService<RequesterUpdates>().UpdateCardAsync(resolved.Ticket!, CancellationToken.None);

        var update = await playground.NextAsync(e => e.Action == "updateMessage" && e.CardText.Contains("Reopen"));
        Assert.Equal(card.MessageId, update.MessageId);
        Assert.Contains("Replaced the HDMI cable", update.CardText);

        var reopened = (await PressAsync(update, "Reopen")).ToJsonString();
        Assert.Contains("In progress", reopened);
        Assert.Equal(TicketStatus.InProgress, (await Tickets.GetAsync(number, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_technician_works_an_emergency_from_the_channel_card_and_every_step_reaches_the_requester()
    {
        await playground.SendMessageAsync("my projector is down");
        var question = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Yes, right now"));
        await PressAsync(question, "Yes, right now");
        var channelCard = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("EMERGENCY") && e.CardText.Contains("On call: "));
        var number = Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None)).Number;

        // Alex (user-id-0) is also the technician in Development. The Playground stops streaming the personal chat once an
        // invoke is made in the team thread, so the technician works from the full card that "ticket N" shows in the chat.
        await playground.SendMessageAsync($"ticket {number}");
        var technicianCard = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Assign to me"));
        async Task<string> TechnicianAsync(string verb, JsonObject data)
        {
            data["ticket"] = number;
            var response = await playground.InvokeActionAsync(technicianCard.MessageId!, verb, data);
            return await response.Content.ReadAsStringAsync();
        }

        var assign = await TechnicianAsync(TechnicianVerbs.AssignToMe, []);
        Assert.True(assign.Contains("In progress · Alex Wilber"), assign);
        await playground.NextAsync(e => e.Action == "updateMessage" && e.MessageId == question.MessageId && e.CardText.Contains("In progress"));
        await playground.NextAsync(e => e.Action == "createMessage" && e.Text?.Contains("is on it") == true);
        await TechnicianAsync(TechnicianVerbs.NoteToRequester, new JsonObject { ["note"] = "Is the lamp light orange?" });
        await playground.NextAsync(e => e.Action == "createMessage" && e.Text?.Contains("Is the lamp light orange?") == true);
        await TechnicianAsync(TechnicianVerbs.Waiting, []);
        await playground.NextAsync(e => e.Action == "updateMessage" && e.MessageId == question.MessageId && e.CardText.Contains("Waiting for you"));
        await playground.NextAsync(e => e.Action == "createMessage" && e.Text?.Contains("needs something from you") == true);

        await playground.SendMessageAsync("yes it is orange and blinking");
        // The answer in the chat, and a reply in the ticket's channel thread that mentions the assignee.
        var (_, threadReply) = await playground.AllAsync(
            e => e.Action == "createMessage" && e.Text?.Contains($"added that to ticket #{number}") == true,
            e => e.Action == "createMessage" && e.Text?.Contains($"Ticket #{number}: Alex Wilber replied: \"yes it is orange and blinking\"") == true) switch
        { var a => (a[0], a[1]) };
        Assert.Contains("<at>Alex Wilber</at>", threadReply.Text);

        var resolved = await TechnicianAsync(TechnicianVerbs.Resolve, new JsonObject { ["resolution"] = "Replaced the lamp." });
        Assert.Contains("Replaced the lamp", resolved);
        // The requester's card in place and then the message (one conversation: in order); the channel card on its own.
        var (final, channelUpdate, _) = await playground.AllAsync(
            e => e.Action == "updateMessage" && e.MessageId == question.MessageId && e.CardText.Contains("Reopen"),
            e => e.Action == "updateMessage" && e.MessageId == channelCard.MessageId && e.CardText.Contains("Resolved"),
            e => e.Action == "createMessage" && e.Text?.Contains("is resolved") == true) switch
        { var a => (a[0], a[1], a[2]) };
        Assert.Contains("Replaced the lamp", final.CardText);
        Assert.Contains("Resolved", channelUpdate.CardText);
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        Assert.Equal(TicketStatus.Resolved, ticket.Status);
        Assert.Contains(ticket.History, e => e.Text == "yes it is orange and blinking");
    }

    ITicketStore Tickets => bot.Services.GetRequiredService<ITicketStore>();

    // A card posted in reply to a message has its id stored just after it is posted.
    async Task<Ticket> WithRequesterCardAsync(int number)
    {
        var ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        for (var i = 0; i < 50 && ticket.RequesterCard is null; i++)
        {
            await Task.Delay(100);
            ticket = (await Tickets.GetAsync(number, CancellationToken.None))!;
        }
        return ticket;
    }

    [Fact]
    public async Task A_how_to_question_gets_articles_and_This_fixed_it_counts_a_deflection()
    {
        await playground.SendMessageAsync("how do I set up an automatic reply while I'm away on holiday");

        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("This fixed it"));
        Assert.Contains("out-of-office", reply.CardText, StringComparison.OrdinalIgnoreCase);

        var body = await PressAsync(reply, "This fixed it");

        Assert.Contains("Glad that fixed it", body.ToJsonString());
        var feedback = bot.Services.GetRequiredService<ArticleFeedbackStore>();
        var stats = await feedback.GetAsync("out-of-office", CancellationToken.None);
        Assert.Equal(1, stats.Deflections);
        Assert.True(stats.Shown >= 1);
        Assert.Equal(0, stats.Read); // "This fixed it" without opening the steps: shown, fixed, never read

        // Pressing again (a double click, or a replayed invoke) does not count twice.
        await PressAsync(reply, "This fixed it");
        Assert.Equal(1, (await feedback.GetAsync("out-of-office", CancellationToken.None)).Deflections);
    }

    [Fact]
    public async Task Show_steps_updates_the_suggestion_in_place_and_counts_one_read()
    {
        await playground.SendMessageAsync("how do I set up an automatic reply while I'm away on holiday");
        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Show steps"));
        var feedback = bot.Services.GetRequiredService<ArticleFeedbackStore>();
        Assert.Equal(0, (await feedback.GetAsync("out-of-office", CancellationToken.None)).Read);
        var articleId = FindAction(reply.Card!, "Show steps")["data"]!["articleId"]!.GetValue<string>();

        var opened = await PressAsync(reply, "Show steps");
        await PressAsync(reply, "Show steps"); // a double click on the same card

        Assert.Contains("This fixed it", opened.ToJsonString());
        Assert.True(opened["value"]!.ToJsonString().Length > reply.Card!.ToJsonString().Length); // the steps are in it now
        var stats = await feedback.GetAsync(articleId, CancellationToken.None);
        Assert.Equal((1L, 1L, 0L), (stats.Shown, stats.Read, stats.Fixed));
    }

    [Fact]
    public async Task A_forged_suggestion_or_article_is_not_counted()
    {
        await playground.SendMessageAsync("how do I set up an automatic reply while I'm away on holiday");
        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("This fixed it"));
        var action = FindAction(reply.Card!, "This fixed it");

        var forgedCard = action["data"]!.DeepClone();
        forgedCard["suggestionId"] = "made-up";
        var forgedArticle = action["data"]!.DeepClone();
        forgedArticle["articleId"] = "vpn";

        foreach (var data in new[] { forgedCard, forgedArticle })
        {
            var response = await playground.InvokeActionAsync(reply.MessageId!, action["verb"]!.GetValue<string>(), data);
            Assert.Contains("application/vnd.microsoft.error", await response.Content.ReadAsStringAsync());
        }
        var feedback = bot.Services.GetRequiredService<ArticleFeedbackStore>();
        Assert.Equal(0, (await feedback.GetAsync("vpn", CancellationToken.None)).Fixed);
        Assert.Equal(0, (await feedback.GetAsync("out-of-office", CancellationToken.None)).Fixed);
    }

    [Fact]
    public async Task I_still_need_help_files_a_ticket_that_carries_the_suggested_articles()
    {
        await playground.SendMessageAsync("how do I print on both sides of the paper");
        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("I still need help"));

        var body = (await PressAsync(reply, "I still need help")).ToJsonString();

        var summary = Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
        Assert.Contains($"Ticket #{summary.Number}", body);
        var ticket = (await Tickets.GetAsync(summary.Number, CancellationToken.None))!;
        Assert.Contains("double-sided-printing", ticket.SuggestedArticles);
        Assert.False(ticket.SuggestionsHelped);
        Assert.Equal(Urgency.Normal, ticket.Urgency);

        await PressAsync(reply, "I still need help"); // a second click on the old card
        Assert.Single(await Tickets.ListByRequesterAsync(playground.CurrentUserId, CancellationToken.None));
    }

    async Task<JsonNode> PressAsync(PlaygroundEvent card, string title)
    {
        var action = FindAction(card.Card!, title);
        var response = await playground.InvokeActionAsync(card.MessageId!, action["verb"]!.GetValue<string>(), action["data"]);
        response.EnsureSuccessStatusCode();
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", body["type"]?.GetValue<string>());
        return body;
    }

    // The first Action.Execute with this title anywhere in the card (top-level actions or ActionSets in the body).
    static JsonNode FindAction(JsonNode card, string title) =>
        Search(card, title) ?? throw new InvalidOperationException($"No Action.Execute titled '{title}' in the card.");

    static JsonNode? Search(JsonNode? node, string title) => node switch
    {
        JsonObject obj when obj["type"]?.GetValue<string>() == "Action.Execute" && obj["title"]?.GetValue<string>() == title => obj,
        JsonObject obj => obj.Select(p => Search(p.Value, title)).FirstOrDefault(n => n is not null),
        JsonArray array => array.Select(n => Search(n, title)).FirstOrDefault(n => n is not null),
        _ => null,
    };
}
