using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Knowledge;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Knowledge;

// "Walk me through it" through the real turn pipeline and real storage: one step at a time, only for the requester,
// once per press, and its end (fixed, or a ticket naming the steps tried) counted like the suggestion card's buttons.
public sealed class WalkthroughTests : InProcessBotTests
{
    const string NoSignal = "the projector in room 6 says no signal, how do I fix it";
    static readonly CancellationToken None = CancellationToken.None;
    InProcessConversation? chatOnce;
    InProcessConversation Chat => chatOnce ??= new InProcessConversation(Bot.Services);
    ArticleFeedbackStore Feedback => Bot.Services.GetRequiredService<ArticleFeedbackStore>();

    [Fact]
    public void Every_shipped_article_has_steps_to_walk_through_and_the_no_signal_one_has_its_seven()
    {
        var articles = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory);
        Assert.All(articles, a => Assert.True(ArticleSteps.Of(a).Count >= 2, $"{a.Id} has {ArticleSteps.Of(a).Count} steps"));
        var steps = ArticleSteps.Of(articles.Single(a => a.Id == "projector-no-signal"));
        Assert.Equal(7, steps.Count);
        Assert.StartsWith("Press the **Source** or **Input** button", steps[0]);
        Assert.StartsWith("Restart the laptop", steps[6]);
    }

    [Fact]
    public void An_article_without_a_steps_heading_walks_through_its_first_numbered_list_and_one_without_a_list_offers_no_walkthrough()
    {
        var published = new Article("from-ticket", "Fixed the switcher", [], "classroom-av", "everyone", new DateOnly(2026, 12, 1),
            "What we did:\n\n1. Check the cable\n2. Press Source\n");
        var prose = published with { Id = "prose", Body = "Just restart it and it should come back." };

        Assert.Equal(["Check the cable", "Press Source"], ArticleSteps.Of(published));
        Assert.Empty(ArticleSteps.Of(prose));
        Assert.DoesNotContain("Walk me through it", KnowledgeCards.Suggestions([prose], "s-1").ToJson());
        Assert.Contains("Walk me through it", KnowledgeCards.Suggestions([published], "s-1").ToJson());
    }

    [Fact]
    public async Task Steps_advance_in_place_and_Still_not_working_files_a_ticket_naming_the_steps_tried()
    {
        var step1 = await StartAsync();
        Assert.Contains("Step 1 of 7", step1);
        Assert.Contains("Press the **Source** or **Input** button", step1);
        var step2 = await PressAsync(KnowledgeVerbs.WalkNext, 1);
        Assert.Contains("Step 2 of 7", step2);
        Assert.Contains("Windows key + P", step2);
        Assert.Contains("Step 3 of 7", await PressAsync(KnowledgeVerbs.WalkNext, 2));

        var ticketCard = await PressAsync(KnowledgeVerbs.WalkStillBroken, 3);

        var summary = Assert.Single(await Tickets.ListByRequesterAsync("user-1", None));
        Assert.Contains($"Ticket #{summary.Number}", ticketCard);
        Assert.Contains("""You tried steps 1-3 of 'Projector says \"No signal\"'; the technician will start from there.""", ticketCard);
        var ticket = (await Tickets.GetAsync(summary.Number, None))!;
        Assert.Equal(new StepsTried("projector-no-signal", "Projector says \"No signal\"", 3, 7), ticket.StepsTried);
        Assert.Contains("projector-no-signal", ticket.SuggestedArticles);
        var technicianCard = (await Chat.WaitForAsync(c => c.Card is not null && c.Path.Contains("/team-id/"))).CardJson;
        Assert.Contains("""Self-help: tried steps 1-3 of 'Projector says \"No signal\"' (3 of 7)""", technicianCard);
        Assert.Equal(1, await Feedback.CountStillNeedHelpAsync(None));
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", None)).Read); // walking through it is reading it
        Assert.Equal(0, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);

        // The same press again, or an old step card: still the one ticket, and the first count stands.
        Assert.Contains($"Ticket #{summary.Number}", await PressAsync(KnowledgeVerbs.WalkStillBroken, 3));
        Assert.Contains($"Ticket #{summary.Number}", await PressAsync(KnowledgeVerbs.WalkNext, 1));
        Assert.Single(await Tickets.ListByRequesterAsync("user-1", None));
    }

    [Fact]
    public async Task Show_steps_opens_the_article_in_place_and_counts_one_read_only_for_the_requester()
    {
        var suggestion = await SuggestAsync();
        Assert.DoesNotContain("Windows key + P", Readable(suggestion)); // shown, not yet read
        Assert.Equal((1L, 0L), ((await Feedback.GetAsync("projector-no-signal", None)).Shown, (await Feedback.GetAsync("projector-no-signal", None)).Read));
        var show = ShowSteps(suggestion, "projector-no-signal");

        Assert.Equal("Forbidden", Error(await Chat.PressAsync(KnowledgeVerbs.ShowSteps, show, userId: "user-2")));
        Assert.Equal("BadRequest", Error(await Chat.PressAsync(KnowledgeVerbs.ShowSteps, new JsonObject { ["suggestionId"] = SuggestionId, ["articleId"] = "vpn" })));
        Assert.Equal(0, (await Feedback.GetAsync("projector-no-signal", None)).Read);

        var opened = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Chat.PressAsync(KnowledgeVerbs.ShowSteps, show)));
        Assert.All(opened, o => Assert.Contains("Windows key + P", Readable(o["value"]!)));
        var card = opened[0]["value"]!;
        Assert.Null(ShowStepsOrNull(card, "projector-no-signal")); // open now
        Assert.NotNull(Search(card, "I still need help"));
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", None)).Read);

        // Walking through the same article on the same suggestion is the same read.
        await Chat.PressAsync(KnowledgeVerbs.WalkThrough, Data(FindAction(card, "Walk me through it")));
        Assert.Equal(new ArticleStats("projector-no-signal", 1, 1, 0), await Feedback.GetAsync("projector-no-signal", None));
    }

    [Fact]
    public async Task That_fixed_it_counts_one_deflection_and_files_nothing()
    {
        await StartAsync();
        await PressAsync(KnowledgeVerbs.WalkNext, 1);

        var answer = await PressAsync(KnowledgeVerbs.WalkFixed, 2);

        Assert.Contains("Glad that fixed it", answer);
        Assert.Empty(await Tickets.ListByRequesterAsync("user-1", None));
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);
        Assert.Contains("Glad that fixed it", await PressAsync(KnowledgeVerbs.WalkFixed, 2)); // pressed twice
        Assert.Contains("Glad that fixed it", await PressAsync(KnowledgeVerbs.WalkStillBroken, 2)); // then changed their mind
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);
        Assert.Empty(await Tickets.ListByRequesterAsync("user-1", None));
    }

    [Fact]
    public async Task Another_user_can_neither_start_nor_advance_nor_finish_someone_elses_walkthrough()
    {
        var suggestion = await SuggestAsync();
        var start = Data(FindAction(suggestion, "Walk me through it"));
        Assert.Equal("Forbidden", Error(await Chat.PressAsync(KnowledgeVerbs.WalkThrough, start, userId: "user-2")));

        await Chat.PressAsync(KnowledgeVerbs.WalkThrough, start);
        foreach (var verb in new[] { KnowledgeVerbs.WalkNext, KnowledgeVerbs.WalkFixed, KnowledgeVerbs.WalkStillBroken })
            Assert.Equal("Forbidden", Error(await Chat.PressAsync(verb, StepData(1), userId: "user-2")));

        Assert.Equal(1, (await Bot.Services.GetRequiredService<WalkthroughStore>().GetAsync(SuggestionId, None))!.Step);
        Assert.Empty(await Tickets.ListByRequesterAsync("user-2", None));
        Assert.Empty(await Tickets.ListByRequesterAsync("user-1", None));
        Assert.Equal(0, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);
    }

    [Fact]
    public async Task A_double_or_replayed_press_advances_once_even_on_two_instances_at_once()
    {
        await StartAsync();
        await using var second = await InProcessConversation.StartBotAsync(Azurite.ConnectionString);
        var other = new InProcessConversation(second.Services);

        var answers = await Task.WhenAll(
            Chat.PressAsync(KnowledgeVerbs.WalkNext, StepData(1)),
            other.PressAsync(KnowledgeVerbs.WalkNext, StepData(1)),
            Chat.PressAsync(KnowledgeVerbs.WalkNext, StepData(1)));

        Assert.All(answers, a => Assert.Contains("Step 2 of 7", a.ToJsonString()));
        Assert.Equal(2, (await Bot.Services.GetRequiredService<WalkthroughStore>().GetAsync(SuggestionId, None))!.Step);
        // Starting again from the suggestion card carries on where it is rather than starting over.
        Assert.Contains("Step 2 of 7", await StartAsync(suggestAgain: false));
    }

    [Fact]
    public async Task The_last_step_asks_whether_it_worked_and_does_not_go_past_the_end()
    {
        await StartAsync();
        for (var step = 1; step < 7; step++)
            await PressAsync(KnowledgeVerbs.WalkNext, step);

        var last = (await Chat.PressAsync(KnowledgeVerbs.WalkNext, StepData(7)))["value"]!;

        Assert.Contains("Step 7 of 7", last.ToJsonString());
        Assert.Contains("last step", last.ToJsonString());
        Assert.Null(Search(last, "Done, next"));
        Assert.NotNull(Search(last, "That fixed it"));
        Assert.NotNull(Search(last, "Still not working"));
        Assert.Contains("steps 1-7", await PressAsync(KnowledgeVerbs.WalkStillBroken, 7));
    }

    [Fact]
    public async Task A_stale_step_card_shows_the_current_step_and_changes_nothing()
    {
        await StartAsync();
        await PressAsync(KnowledgeVerbs.WalkNext, 1);
        await PressAsync(KnowledgeVerbs.WalkNext, 2);

        Assert.Contains("Step 3 of 7", await PressAsync(KnowledgeVerbs.WalkNext, 1));
        Assert.Contains("Step 3 of 7", await PressAsync(KnowledgeVerbs.WalkNext, 99));
        Assert.Equal(3, (await Bot.Services.GetRequiredService<WalkthroughStore>().GetAsync(SuggestionId, None))!.Step);
    }

    [Fact]
    public async Task Forged_card_data_is_refused()
    {
        var suggestion = await SuggestAsync();
        var start = Data(FindAction(suggestion, "Walk me through it"));

        Assert.Equal("BadRequest", Error(await Chat.PressAsync(KnowledgeVerbs.WalkNext, StepData(1)))); // never started
        Assert.Equal("BadRequest", Error(await Chat.PressAsync(KnowledgeVerbs.WalkThrough, new JsonObject { ["suggestionId"] = SuggestionId, ["articleId"] = "vpn" })));
        Assert.Equal("BadRequest", Error(await Chat.PressAsync(KnowledgeVerbs.WalkThrough, new JsonObject { ["suggestionId"] = "made-up", ["articleId"] = "projector-no-signal" })));
        Assert.Equal("BadRequest", Error(await Chat.PressAsync(KnowledgeVerbs.WalkNext, new JsonObject { ["suggestionId"] = SuggestionId, ["step"] = "two" })));
        Assert.Null(await Bot.Services.GetRequiredService<WalkthroughStore>().GetAsync(SuggestionId, None));
        Assert.Contains("Step 1 of 7", (await Chat.PressAsync(KnowledgeVerbs.WalkThrough, start)).ToJsonString());
    }

    // Issue 10's message: an emergency (a class arriving), so it is filed at once, and the fix is offered beside it.
    const string ClassWaiting = "hi, the beamer in rm 6 says no signal and the kids are coming in 10 mins";

    [Fact]
    public async Task An_emergency_is_filed_at_once_with_a_fix_to_try_while_waiting_and_Still_not_working_tells_the_technician_how_far_it_got()
    {
        var number = await EmergencyWalkthroughAsync();
        await PressAsync(KnowledgeVerbs.WalkNext, 1);
        await PressAsync(KnowledgeVerbs.WalkNext, 2);

        var answer = await PressAsync(KnowledgeVerbs.WalkStillBroken, 3);

        Assert.Contains($"Ticket #{number}", answer);
        Assert.Contains("You tried steps 1-3 of 'Projector says", answer);
        Assert.Single(await Tickets.ListByRequesterAsync("user-1", None));
        var ticket = (await Tickets.GetAsync(number, None))!;
        Assert.True(ticket.IsOpen);
        Assert.Equal(3, ticket.StepsTried?.Reached);
        await Chat.WaitForAsync(c => c.Card is not null && c.Path.Contains("/team-id/") && c.CardJson.Contains("tried steps 1-3"));
        Assert.Equal(0, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);
    }

    [Fact]
    public async Task That_fixed_it_while_waiting_closes_the_emergency_so_the_technician_stands_down_and_counts_a_deflection()
    {
        var number = await EmergencyWalkthroughAsync();

        var answer = await PressAsync(KnowledgeVerbs.WalkFixed, 1);

        Assert.Contains($"closed ticket #{number}", answer);
        var ticket = (await Tickets.GetAsync(number, None))!;
        Assert.Equal(SupportBot.Tickets.TicketStatus.Cancelled, ticket.Status);
        Assert.Contains(ticket.History, e => e.Summary.StartsWith("Fixed by the requester with 'Projector says", StringComparison.Ordinal));
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);
        // Pressed again, or "Still not working" afterwards: the first answer stands and the ticket stays closed.
        Assert.Contains($"closed ticket #{number}", await PressAsync(KnowledgeVerbs.WalkStillBroken, 1));
        Assert.Equal(SupportBot.Tickets.TicketStatus.Cancelled, (await Tickets.GetAsync(number, None))!.Status);
        Assert.Equal(1, (await Feedback.GetAsync("projector-no-signal", None)).Deflections);
    }

    // The emergency filed, its "while you wait" card, and the walkthrough started from it; the ticket's number.
    async Task<int> EmergencyWalkthroughAsync()
    {
        await Chat.SendAsync(ClassWaiting);
        var summary = Assert.Single(await Tickets.ListByRequesterAsync("user-1", None));
        var ticket = (await Tickets.GetAsync(summary.Number, None))!;
        Assert.Equal(SupportBot.Triage.Urgency.Emergency, ticket.Urgency);
        var tryThis = (await Chat.WaitForAsync(c => c.Card is not null && c.Path.Contains("personal-1") && c.CardJson.Contains("While you wait"))).Card!;
        Assert.Contains($"I've filed this as #{ticket.Number}", Readable(tryThis));
        var start = Data(FindAction(tryThis, "Walk me through it"));
        Assert.Equal("projector-no-signal", start["articleId"]!.GetValue<string>());
        SuggestionId = start["suggestionId"]!.GetValue<string>();
        Assert.Contains("Step 1 of 7", Readable(await Chat.PressAsync(KnowledgeVerbs.WalkThrough, start)));
        return ticket.Number;
    }

    string SuggestionId { get; set; } = "";

    async Task<JsonNode> SuggestAsync()
    {
        await Chat.SendAsync(NoSignal);
        var card = Chat.Cards.Last(c => c.Path.Contains("personal-1")).Card!;
        Assert.Contains("Projector says", card.ToJsonString());
        SuggestionId = Data(FindAction(card, "Walk me through it"))["suggestionId"]!.GetValue<string>();
        return card;
    }

    async Task<string> StartAsync(bool suggestAgain = true)
    {
        var card = suggestAgain ? await SuggestAsync() : Chat.Cards.Last(c => c.Path.Contains("personal-1") && c.CardJson.Contains("Walk me through it")).Card!;
        return Readable(await Chat.PressAsync(KnowledgeVerbs.WalkThrough, Data(FindAction(card, "Walk me through it"))));
    }

    async Task<string> PressAsync(string verb, int step) => Readable(await Chat.PressAsync(verb, StepData(step)));

    static string Readable(JsonNode node) =>
        node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    JsonObject StepData(int step) => new() { ["suggestionId"] = SuggestionId, ["step"] = step };

    static JsonNode Data(JsonNode action) => action["data"]!;

    static JsonNode ShowSteps(JsonNode card, string articleId) =>
        Data(ShowStepsOrNull(card, articleId) ?? throw new InvalidOperationException($"No 'Show steps' for {articleId} in the card."));

    static JsonNode? ShowStepsOrNull(JsonNode? node, string articleId) => node switch
    {
        JsonObject obj when obj["verb"]?.GetValue<string>() == KnowledgeVerbs.ShowSteps && obj["data"]?["articleId"]?.GetValue<string>() == articleId => obj,
        JsonObject obj => obj.Select(p => ShowStepsOrNull(p.Value, articleId)).FirstOrDefault(n => n is not null),
        JsonArray array => array.Select(n => ShowStepsOrNull(n, articleId)).FirstOrDefault(n => n is not null),
        _ => null,
    };

    static string? Error(JsonNode answer) =>
        answer["type"]?.GetValue<string>() == "application/vnd.microsoft.error" ? answer["value"]?["code"]?.GetValue<string>() : null;

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
