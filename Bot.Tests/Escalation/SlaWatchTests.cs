using System.Diagnostics;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using SupportBot.Escalation;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tickets;

namespace SupportBot.Tests.Escalation;

// The SLA watch against real storage (Azurite) and the real outbox, on a FakeTimeProvider. In Development the channel
// "team-id" gets tickets and Alex Wilber (user-id-0) is on call; an emergency's first reply is due in 15 minutes.
public sealed class SlaWatchTests : IAsyncLifetime
{
    static readonly DateTimeOffset Monday10 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    static readonly CancellationToken None = CancellationToken.None;

    readonly Azurite azurite = new();
    readonly List<Instance> instances = [];

    sealed record Instance(BotServer Bot, FakeTimeProvider Clock, RecordingConnector Connector)
    {
        public SlaWatch Watch => Bot.Services.GetRequiredService<SlaWatch>();
        public ITicketStore Tickets => Bot.Services.GetRequiredService<ITicketStore>();
        public Outbox Outbox => Bot.Services.GetRequiredService<Outbox>();
        public TableClient Table(string name) => Bot.Services.GetRequiredService<TableServiceClient>().GetTableClient(name);

        // Sent to a ticket's channel thread (conversation "{channel};messageid={root}").
        public IReadOnlyList<RecordedCall> ThreadPosts => [.. Connector.Calls.Where(c => c.Method == HttpMethod.Post && Uri.UnescapeDataString(c.Path).Contains(";messageid="))];
    }

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (var instance in instances) await instance.Bot.DisposeAsync();
        await azurite.DisposeAsync();
    }

    // checkInterval: 30 days keeps the watch's own timer out of the way, so each test decides when a check runs.
    async Task<Instance> StartAsync(DateTimeOffset? at = null, string checkInterval = "30.00:00:00")
    {
        var clock = new FakeTimeProvider(at ?? Monday10);
        var connector = new RecordingConnector();
        var bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
            ["Support:Sla:CheckInterval"] = checkInterval,
        }, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton(connector);
            services.AddHttpClient(ConnectorClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => connector);
        });
        var instance = new Instance(bot, clock, connector);
        instances.Add(instance);
        return instance;
    }

    static async Task<Ticket> FileEmergencyAsync(Instance on)
    {
        await new InProcessConversation(on.Bot.Services).SendAsync("the projector just died and my class is waiting right now");
        var number = Assert.Single(await on.Tickets.ListByRequesterAsync("user-1", None)).Number;
        return await WithChannelCardAsync(on, number);
    }

    // The channel card's id is stored once the post is delivered.
    static async Task<Ticket> WithChannelCardAsync(Instance on, int number)
    {
        Ticket? ticket = null;
        await Until(async () => (ticket = await on.Tickets.GetAsync(number, None))?.TechnicianCard is not null);
        return ticket!;
    }

    static OutboxTarget Thread(Ticket t) => new(t.TechnicianCard!.ServiceUrl, $"{t.TechnicianCard.ConversationId};messageid={t.TechnicianCard.ActivityId}");

    // Every message ever enqueued to the ticket's thread, by dedupe key: deterministic, whatever the drainer is doing.
    static async Task<List<string>> EnqueuedToThreadAsync(Instance on, Ticket t)
    {
        var keys = new List<string>();
        await foreach (var row in on.Table("Outbox").QueryAsync<TableEntity>(TableClient.CreateQueryFilter(
            $"PartitionKey eq {Thread(t).PartitionKey} and RowKey ge {Outbox.DedupePrefix} and RowKey lt {Outbox.DedupeEnd}")))
            keys.Add(row.RowKey);
        return keys;
    }

    static async Task DeliveredAsync(Instance on, OutboxTarget target, string dedupeKey) =>
        await Until(async () => (await on.Outbox.GetStatusAsync(target, dedupeKey, None))?.State == OutboxState.Sent);

    static async Task Until(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("not reached within 20 s");
            await Task.Delay(50);
        }
    }

    static string FirstResponseKey(Ticket t, SlaState state) => new SlaAlert(t.Number, SlaTargetKind.FirstResponse, state, t.FirstResponseDueAt).DedupeKey;

    [Fact]
    public async Task An_emergency_nobody_picks_up_is_flagged_once_in_its_thread_mentioning_on_call_and_not_before_it_is_due()
    {
        var bot = await StartAsync();
        var ticket = await FileEmergencyAsync(bot);

        bot.Clock.Advance(TimeSpan.FromMinutes(11)); // 4 min left: not yet due soon (a quarter of 15 min)
        await bot.Watch.CheckAsync(None);
        Assert.Empty(await EnqueuedToThreadAsync(bot, ticket));

        bot.Clock.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(30)); // 15 min 30 s after filing
        for (var i = 0; i < 3; i++) await bot.Watch.CheckAsync(None);

        var key = FirstResponseKey(ticket, SlaState.Breached);
        Assert.Equal(new[] { Outbox.DedupeRow(key) }, await EnqueuedToThreadAsync(bot, ticket));
        await DeliveredAsync(bot, Thread(ticket), key);
        var alert = Assert.Single(bot.ThreadPosts);
        Assert.Contains($"Still unassigned after 15 min: EMERGENCY ticket #{ticket.Number}", alert.CardJson);
        Assert.Contains("<at>Alex Wilber</at>", alert.CardJson);
        Assert.Equal("user-id-0", alert.Card!["msteams"]!["entities"]![0]!["mentioned"]!["id"]!.GetValue<string>());

        // The channel card is rewritten with its target line current, and the requester's card says the reply is late.
        var card = ticket.TechnicianCard!;
        await bot.Connector.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{card.ActivityId}") && c.CardJson.Contains("Target: Breached"));
        await bot.Connector.WaitForAsync(c => c.Method == HttpMethod.Put && c.Path.EndsWith($"/activities/{ticket.RequesterCard!.ActivityId}") && c.CardJson.Contains("Reply overdue, we're on it"));
    }

    [Fact]
    public async Task Due_soon_and_then_breached_are_two_separate_alerts()
    {
        var bot = await StartAsync();
        var ticket = await FileEmergencyAsync(bot);

        bot.Clock.Advance(TimeSpan.FromMinutes(12)); // 3 min left
        await bot.Watch.CheckAsync(None);
        await bot.Watch.CheckAsync(None);
        await DeliveredAsync(bot, Thread(ticket), FirstResponseKey(ticket, SlaState.DueSoon));
        bot.Clock.Advance(TimeSpan.FromMinutes(4));
        await bot.Watch.CheckAsync(None);
        await DeliveredAsync(bot, Thread(ticket), FirstResponseKey(ticket, SlaState.Breached));

        Assert.Equal(2, (await EnqueuedToThreadAsync(bot, ticket)).Count);
        Assert.Collection(bot.ThreadPosts,
            dueSoon =>
            {
                Assert.Contains($"Due soon: EMERGENCY ticket #{ticket.Number}", dueSoon.CardJson);
                Assert.DoesNotContain("<at>", dueSoon.CardJson); // only an emergency nobody picked up calls on call
            },
            breached => Assert.Contains("Still unassigned after 16 min", breached.CardJson));
    }

    [Fact]
    public async Task Two_watch_instances_on_one_storage_flag_a_ticket_once()
    {
        var first = await StartAsync();
        var second = await StartAsync();
        var ticket = await FileEmergencyAsync(first);

        first.Clock.Advance(TimeSpan.FromMinutes(20));
        second.Clock.Advance(TimeSpan.FromMinutes(20));
        await Task.WhenAll(Enumerable.Range(0, 3).SelectMany(_ => new[] { first.Watch.CheckAsync(None), second.Watch.CheckAsync(None) }));

        var key = FirstResponseKey(ticket, SlaState.Breached);
        await DeliveredAsync(first, Thread(ticket), key);
        Assert.Single(await EnqueuedToThreadAsync(first, ticket));
        Assert.Single(first.ThreadPosts.Concat(second.ThreadPosts));
    }

    [Fact]
    public async Task A_restart_does_not_flag_again_even_once_the_outbox_has_forgotten_the_message()
    {
        var before = await StartAsync();
        var ticket = await FileEmergencyAsync(before);
        before.Clock.Advance(TimeSpan.FromMinutes(20));
        await before.Watch.CheckAsync(None);
        await DeliveredAsync(before, Thread(ticket), FirstResponseKey(ticket, SlaState.Breached));
        await before.Bot.DisposeAsync();
        instances.Remove(before);

        var after = await StartAsync(Monday10.AddMinutes(25));
        await after.Watch.CheckAsync(None);
        // The outbox keeps dedupe keys for a week; a ticket left breached for longer must still not be flagged again.
        var outbox = after.Table("Outbox");
        await foreach (var row in outbox.QueryAsync<TableEntity>()) await outbox.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        after.Clock.Advance(TimeSpan.FromDays(8));
        await after.Watch.CheckAsync(None);

        Assert.Empty(await EnqueuedToThreadAsync(after, ticket));
        Assert.Empty(after.ThreadPosts);
    }

    [Fact]
    public async Task A_resolved_ticket_is_never_flagged()
    {
        var bot = await StartAsync();
        var ticket = await FileEmergencyAsync(bot);
        bot.Clock.Advance(TimeSpan.FromMinutes(5));
        var desk = bot.Bot.Services.GetRequiredService<TicketDesk>();
        await desk.ResolveAsync(ticket.Number, new Person("user-id-0", "Alex Wilber"), "Swapped the lamp.", None);

        foreach (var later in new[] { TimeSpan.FromMinutes(15), TimeSpan.FromHours(5), TimeSpan.FromDays(10) })
        {
            bot.Clock.Advance(later);
            await bot.Watch.CheckAsync(None);
        }

        Assert.Empty(await EnqueuedToThreadAsync(bot, ticket));
    }

    [Fact]
    public async Task A_ticket_without_a_channel_card_yet_is_flagged_once_it_has_one()
    {
        var bot = await StartAsync();
        var filed = await bot.Tickets.FileAsync("conv|act-1", n => SupportBot.Tests.Tickets.TicketStoreTests.Sample(n, urgency: SupportBot.Triage.Urgency.Emergency) with
        {
            CreatedAt = Monday10, FirstResponseDueAt = Monday10.AddMinutes(15), UpdatedAt = Monday10,
        }, None);
        bot.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Empty(await bot.Watch.CheckAsync(None));

        var card = new PostedCard(InProcessConversation.ServiceUrl, "team-id", "root-1");
        await bot.Tickets.UpdateAsync(filed.Ticket.Number, t => new TicketChange(t with { TechnicianCard = card }, []), None);
        var fired = Assert.Single(await bot.Watch.CheckAsync(None));

        Assert.Equal((SlaTargetKind.FirstResponse, SlaState.Breached), (fired.Target, fired.State));
    }

    [Fact]
    public async Task A_normal_ticket_past_its_first_reply_is_flagged_overdue_and_after_the_reply_its_resolution_is_watched()
    {
        var bot = await StartAsync();
        var filed = await bot.Tickets.FileAsync("conv|act-2", n => SupportBot.Tests.Tickets.TicketStoreTests.Sample(n) with
        {
            CreatedAt = Monday10, FirstResponseDueAt = bot.Bot.Services.GetRequiredService<Sla>().FirstResponseDueAt(SupportBot.Triage.Urgency.Normal, Monday10), UpdatedAt = Monday10,
            TechnicianCard = new PostedCard(InProcessConversation.ServiceUrl, "team-id", "root-2"),
        }, None);
        var number = filed.Ticket.Number;

        bot.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1)); // Tuesday 10:01: 1 business day (9 h) is up
        var overdue = Assert.Single(await bot.Watch.CheckAsync(None));
        Assert.Equal((SlaTargetKind.FirstResponse, SlaState.Breached), (overdue.Target, overdue.State));

        await bot.Bot.Services.GetRequiredService<TicketDesk>().AssignAsync(number, new Person("user-id-0", "Alex Wilber"), new Person("user-id-0", "Alex Wilber"), None);
        Assert.Empty(await bot.Watch.CheckAsync(None));
        bot.Clock.Advance(TimeSpan.FromDays(6)); // Monday 30th: 5 business days are up
        var late = Assert.Single(await bot.Watch.CheckAsync(None));
        Assert.Equal((SlaTargetKind.Resolution, SlaState.Breached), (late.Target, late.State));

        var ticket = (await bot.Tickets.GetAsync(number, None))!;
        await DeliveredAsync(bot, Thread(ticket), late.DedupeKey);
        Assert.Contains(bot.ThreadPosts, p => p.CardJson.Contains($"Overdue: ticket #{number} Printer jammed was due to be resolved by") && p.CardJson.Contains("(Alex Wilber)"));
    }

    [Fact]
    public async Task The_watch_checks_on_its_own_every_check_interval()
    {
        var bot = await StartAsync(checkInterval: "00:01:00");
        var ticket = await FileEmergencyAsync(bot);

        bot.Clock.Advance(TimeSpan.FromMinutes(16));

        await DeliveredAsync(bot, Thread(ticket), FirstResponseKey(ticket, SlaState.Breached));
    }
}
