using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Storage;
using SupportBot.Technicians;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tickets;

namespace SupportBot.Tests.Proactive;

// The bot's proactive messages through the outbox across restarts and outages: bots started and stopped on one Azurite.
public sealed class ProactiveDeliveryTests : IAsyncLifetime
{
    const string Technician = "user-id-0";
    const string Emergency = "the projector just died and my class is waiting right now";
    readonly Azurite azurite = new();
    readonly List<BotServer> bots = [];

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var bot in bots) await bot.DisposeAsync();
        await azurite.DisposeAsync();
    }

    async Task<BotServer> StartBotAsync(Action<IServiceCollection>? more = null)
    {
        var bot = await InProcessConversation.StartBotAsync(azurite.ConnectionString, more);
        bots.Add(bot);
        return bot;
    }

    async Task StopAsync(BotServer bot)
    {
        bots.Remove(bot);
        await bot.DisposeAsync();
    }

    // An instance that enqueues but dies before its drainer sends anything.
    static void WithoutDrainer(IServiceCollection services)
    {
        foreach (var drainer in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(OutboxDrainer)).ToList())
            services.Remove(drainer);
    }

    static ITicketStore Tickets(BotServer bot) => bot.Services.GetRequiredService<ITicketStore>();

    static async Task<Ticket> TicketWhenAsync(BotServer bot, int number, Func<Ticket, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            var ticket = (await Tickets(bot).GetAsync(number, CancellationToken.None))!;
            if (condition(ticket)) return ticket;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Ticket {number} never reached the expected state");
            await Task.Delay(50);
        }
    }

    // Queued after everything else to that conversation: once it arrives, so has anything queued before it.
    static async Task DrainedAsync(BotServer bot, InProcessConversation chat, string conversationId)
    {
        var key = "sentinel-" + Guid.NewGuid().ToString("N");
        await bot.Services.GetRequiredService<Outbox>().EnqueueSendAsync(new OutboxTarget(InProcessConversation.ServiceUrl, conversationId),
            Activity.CreateMessage(key), key, CancellationToken.None);
        await chat.WaitForAsync(c => c.Text == key);
    }

    static bool IsChannelPost(RecordedCall c) => c.Method == HttpMethod.Post && c.Path.EndsWith("/team-id/activities") && c.CardJson.Contains("EMERGENCY");

    [Fact]
    public async Task A_restart_between_enqueue_and_delivery_still_posts_the_channel_card_once_its_id_reaches_the_ticket_and_queued_updates_follow()
    {
        var first = await StartBotAsync(WithoutDrainer);
        var before = new InProcessConversation(first.Services);
        await before.SendAsync(Emergency);
        var number = Assert.Single(await Tickets(first).ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        // The technician acts before the channel card exists: its update waits for the post, whatever id that gets.
        var channelBefore = new InProcessConversation(first.Services, "team-id", conversationType: "channel");
        var answer = await channelBefore.PressAsync(TechnicianVerbs.AssignToMe, new JsonObject { ["ticket"] = number }, userId: Technician);
        Assert.Contains("In progress", answer.ToJsonString());
        Assert.DoesNotContain(before.Calls, c => c.Path.Contains("/team-id/activities") || c.Method == HttpMethod.Put);
        await StopAsync(first);

        var second = await StartBotAsync();
        var after = new InProcessConversation(second.Services);
        await after.WaitForAsync(IsChannelPost);
        var id = (await TicketWhenAsync(second, number, t => t.TechnicianCard is not null)).TechnicianCard!.ActivityId;
        var status = await second.Services.GetRequiredService<Outbox>().GetStatusAsync(
            new OutboxTarget(InProcessConversation.ServiceUrl, "team-id"), TicketOutboxKeys.ChannelPost(number), CancellationToken.None);
        Assert.Equal(status!.Posted!.ActivityId, id);
        var update = await after.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.Contains("/team-id/") && c.CardJson.Contains("In progress"));
        Assert.EndsWith($"/team-id/activities/{id}", update.Path);
        await after.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith("personal-1/activities") && c.Text?.Contains("is on it") == true);

        await DrainedAsync(second, after, "team-id");
        Assert.Single(after.Calls, IsChannelPost);
    }

    [Fact]
    public async Task A_restart_between_the_send_and_storing_its_id_stores_the_id_without_posting_again()
    {
        // This instance sends but cannot run the after-sent step (as if it died right after the send).
        var first = await StartBotAsync(services => services.RemoveAll<IOutboxSentHandler>());
        var chat = new InProcessConversation(first.Services);
        await chat.SendAsync(Emergency);
        var number = Assert.Single(await Tickets(first).ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        await chat.WaitForAsync(IsChannelPost);
        await DrainedAsync(first, chat, "team-id");
        Assert.Null((await Tickets(first).GetAsync(number, CancellationToken.None))!.TechnicianCard);
        var status = await first.Services.GetRequiredService<Outbox>().GetStatusAsync(
            new OutboxTarget(InProcessConversation.ServiceUrl, "team-id"), TicketOutboxKeys.ChannelPost(number), CancellationToken.None);
        await StopAsync(first);

        var second = await StartBotAsync();
        var ticket = await TicketWhenAsync(second, number, t => t.TechnicianCard is not null);

        Assert.Equal(status!.Posted!.ActivityId, ticket.TechnicianCard!.ActivityId);
        Assert.Equal("team-id", ticket.TechnicianCard.ConversationId);
        var after = new InProcessConversation(second.Services);
        await DrainedAsync(second, after, "team-id");
        Assert.DoesNotContain(after.Calls, IsChannelPost);
    }

    [Fact]
    public async Task With_the_outbox_unreachable_a_technicians_action_is_saved_and_says_it_was_not_passed_on()
    {
        var logs = new CapturingLogs();
        var bot = await StartBotAsync(services =>
        {
            // Tickets stay reachable; only the outbox's storage is down.
            var dead = TableStorage.CreateClient(azurite.ConnectionString.Replace($":{new Uri(ExtractTableEndpoint(azurite.ConnectionString)).Port}/", ":1/"));
            services.Replace(ServiceDescriptor.Singleton(sp => new Outbox(dead, TimeProvider.System, sp.GetRequiredService<ILogger<Outbox>>())));
            services.AddSingleton<ILoggerProvider>(logs);
        });
        var requester = new InProcessConversation(bot.Services);
        await requester.SendAsync(Emergency);
        var number = Assert.Single(await Tickets(bot).ListByRequesterAsync("user-1", CancellationToken.None)).Number;
        Assert.Contains($"Ticket #{number}", requester.Replies[^1].CardJson); // the requester's own answer is a turn reply

        var channel = new InProcessConversation(bot.Services, "team-id", conversationType: "channel");
        var answer = await channel.PressAsync(TechnicianVerbs.NoteToRequester, new JsonObject { ["ticket"] = number, ["note"] = "On my way." }, userId: Technician);

        Assert.Equal("application/vnd.microsoft.card.adaptive", answer["type"]?.GetValue<string>());
        Assert.Contains("pass this on just now", answer.ToJsonString());
        Assert.Contains((await Tickets(bot).GetAsync(number, CancellationToken.None))!.History, e => e.Text == "On my way.");
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains($"Could not pass on the change to ticket {number}"));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("On my way."));
    }

    [Fact]
    public async Task Notify_me_opens_a_chat_posts_and_then_edits_that_message()
    {
        var bot = await StartBotAsync();
        var chat = new InProcessConversation(bot.Services);

        await chat.SendAsync("notify me");

        var update = await chat.WaitForAsync(c => c.Method == HttpMethod.Put && c.Text?.Contains("Test notification: delivered") == true);
        var calls = chat.Calls.ToList();
        var created = Assert.Single(calls, c => c.Method == HttpMethod.Post && c.Path.EndsWith("/v3/conversations"));
        var sent = Assert.Single(calls, c => c.Text?.Contains("Test notification: sending") == true);
        Assert.True(calls.IndexOf(created) < calls.IndexOf(sent) && calls.IndexOf(sent) < calls.IndexOf(update));
        // The recorder answered the create with msg-1 (the new chat) and the send with msg-2 (the message).
        Assert.EndsWith("/v3/conversations/msg-1/activities", sent.Path);
        Assert.EndsWith("/v3/conversations/msg-1/activities/msg-2", update.Path);
    }

    static string ExtractTableEndpoint(string connection) =>
        connection.Split(';').First(p => p.StartsWith("TableEndpoint=", StringComparison.Ordinal))["TableEndpoint=".Length..];
}
