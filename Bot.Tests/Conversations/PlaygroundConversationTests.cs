using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Knowledge;
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
    public async Task An_emergency_is_acknowledged_and_Check_status_replaces_the_card_in_place()
    {
        await playground.SendMessageAsync("the projector just died and my class is waiting right now");

        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Check status"));
        Assert.Contains("my class is waiting", reply.CardText);
        Assert.Contains("Treated as an emergency", reply.CardText);

        var body = await PressAsync(reply, "Check status");

        Assert.Contains("Checked 1 time", body.ToJsonString());
        Assert.Contains("Treated as an emergency", body.ToJsonString());
    }

    [Fact]
    public async Task When_unsure_the_bot_asks_one_question_and_the_answer_replaces_the_card()
    {
        await playground.SendMessageAsync("projector not working");

        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Yes, right now"));
        Assert.Contains("Is this stopping a class", reply.CardText);

        var body = await PressAsync(reply, "Yes, right now");

        Assert.Contains("Treated as an emergency", body.ToJsonString());
        Assert.DoesNotContain("Yes, right now", body.ToJsonString());
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
        Assert.True(stats.Views >= 1);

        // Pressing again (a double click, or a replayed invoke) does not count twice.
        await PressAsync(reply, "This fixed it");
        Assert.Equal(1, (await feedback.GetAsync("out-of-office", CancellationToken.None)).Deflections);
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
    public async Task I_still_need_help_turns_the_suggestions_into_a_request()
    {
        await playground.SendMessageAsync("how do I print on both sides of the paper");
        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("I still need help"));

        var body = await PressAsync(reply, "I still need help");

        Assert.Contains("both sides of the paper", body.ToJsonString());
        Assert.Contains("Check status", body.ToJsonString());
    }

    [Fact]
    public async Task A_button_whose_data_names_another_requester_is_refused()
    {
        await playground.SendMessageAsync("printer jammed again and the whole office needs it right now");
        var reply = await playground.NextAsync(e => e.Action == "createMessage" && e.CardText.Contains("Check status"));
        var execute = FindAction(reply.Card!, "Check status");
        var forged = execute["data"]!.DeepClone();
        forged["requesterId"] = "user-id-1";

        var response = await playground.InvokeActionAsync(reply.MessageId!, execute["verb"]!.GetValue<string>(), forged);
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("Checked 1 time", body);
        Assert.Contains("Only the person who made this request", body);
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
