using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SupportBot.Proactive;
using SupportBot.Surveys;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Surveys;

// Polls, answers and the reminder timer against a real Table service. Each "instance" is a fresh set of objects over the
// same storage, as after a restart or on a second machine.
public sealed class PollStorageTests : IAsyncLifetime
{
    static readonly CancellationToken None = CancellationToken.None;
    readonly Azurite azurite = new();
    readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    TableServiceClient tables = null!;
    TableTicketStore tickets = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        tables = new TableServiceClient(azurite.ConnectionString);
        tickets = new TableTicketStore(tables, Options.Create(new TicketOptions()), clock);
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    PollSender Instance(TimeSpan? reminderAfter = null) => new(new PollStore(tables), tickets, new Outbox(tables, clock, NullLogger<Outbox>.Instance),
        Options.Create(new SurveyOptions { ReminderAfter = reminderAfter ?? TimeSpan.FromDays(2) }), clock, NullLogger<PollSender>.Instance);

    async Task<Ticket> ResolvedTicketAsync(string key = "c|1")
    {
        var filed = await tickets.FileAsync(key, n => Tests.Tickets.TicketStoreTests.Sample(n) with
        {
            RequesterCard = new PostedCard("http://127.0.0.1:9/", "a:personal-1", "card-1"),
            Assignee = new Person("29:megan", "Megan Bowen"),
            Status = TicketStatus.InProgress,
        }, None);
        return await ResolveAsync(filed.Ticket.Number);
    }

    async Task<Ticket> ResolveAsync(int number) =>
        (await tickets.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.Resolved, ResolvedAt = clock.GetUtcNow() },
            [new NewEvent("29:megan", "Megan Bowen", TicketEventKind.Resolved, "Resolved", "Replaced the toner")]), None))!.Ticket;

    async Task<List<TableEntity>> OutboxMessagesAsync(string dedupeKey)
    {
        var found = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient("Outbox").QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"DedupeKey eq {dedupeKey}")))
            if (row.RowKey.StartsWith("m-", StringComparison.Ordinal)) found.Add(row);
        return found;
    }

    [Fact]
    public async Task A_resolution_asks_one_poll_however_often_it_is_asked_and_a_new_resolution_asks_again()
    {
        var ticket = await ResolvedTicketAsync();
        var first = PollRecord.CurrentResolution(ticket)!.Value;

        await Task.WhenAll(Instance().AskAsync(ticket, None), Instance().AskAsync(ticket, None), Instance().AskAsync(ticket, None));

        var poll = await new PollStore(tables).GetAsync(ticket.Number, first, None);
        Assert.NotNull(poll);
        Assert.Equal(("29:megan", "Megan Bowen", "printing", SupportBot.Triage.Urgency.Normal), (poll.TechnicianId, poll.TechnicianName, poll.Category, poll.Urgency));
        Assert.Equal((ticket.CreatedAt, ticket.ResolvedAt!.Value), (poll.FiledAt, poll.ResolvedAt));
        var sent = Assert.Single(await OutboxMessagesAsync(PollSender.PollKey(ticket.Number, first)));
        Assert.Equal("a:personal-1", sent.GetString("ConversationId"));
        Assert.Contains(PollCards.Question, sent.GetString("Body0"));

        await tickets.UpdateAsync(ticket.Number, t => new TicketChange(t with { Status = TicketStatus.InProgress, ResolvedAt = null },
            [new NewEvent("user-1", null, TicketEventKind.Reopened, "Reopened")]), None);
        var again = await ResolveAsync(ticket.Number);
        await Instance().AskAsync(again, None);

        var second = PollRecord.CurrentResolution(again)!.Value;
        Assert.NotEqual(first, second);
        Assert.Single(await OutboxMessagesAsync(PollSender.PollKey(ticket.Number, second)));
        Assert.Equal(2, await new PollStore(tables).ListAskedSinceAsync(clock.GetUtcNow().AddDays(-1), None).CountAsync());
    }

    [Fact]
    public async Task Twenty_simultaneous_answers_store_exactly_one()
    {
        var ticket = await ResolvedTicketAsync();
        await Instance().AskAsync(ticket, None);
        var resolution = PollRecord.CurrentResolution(ticket)!.Value;

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => new PollStore(tables).UpdateAsync(ticket.Number, resolution,
            p => p.Answered ? null : p with { Rating = i % 5 + 1, RatedAt = clock.GetUtcNow() }, None)));

        var winners = results.Where(r => r!.Value.Changed).ToList();
        var winner = Assert.Single(winners);
        var stored = await new PollStore(tables).GetAsync(ticket.Number, resolution, None);
        Assert.Equal(winner!.Value.Poll.Rating, stored!.Rating);
        Assert.All(results, r => Assert.Equal(stored.Rating, r!.Value.Poll.Rating));
    }

    [Fact]
    public async Task One_reminder_after_two_days_survives_a_restart_and_two_instances_send_it_once()
    {
        var ticket = await ResolvedTicketAsync();
        await Instance().AskAsync(ticket, None);
        var key = PollSender.ReminderKey(ticket.Number, PollRecord.CurrentResolution(ticket)!.Value);

        clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));
        Assert.Equal(0, await Instance().SendDueRemindersAsync(None));
        Assert.Empty(await OutboxMessagesAsync(key));

        clock.Advance(TimeSpan.FromMinutes(2));
        await Task.WhenAll(Instance().SendDueRemindersAsync(None), Instance().SendDueRemindersAsync(None));

        var reminder = Assert.Single(await OutboxMessagesAsync(key));
        Assert.Contains("A quick reminder", reminder.GetString("Body0"));
        Assert.NotNull((await new PollStore(tables).GetAsync(ticket.Number, PollRecord.CurrentResolution(ticket)!.Value, None))!.RemindedAt);

        // Never more: later passes, and the poll asked again (a replay), find nothing to send.
        clock.Advance(TimeSpan.FromDays(3));
        await Instance().AskAsync(ticket, None);
        clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, await Instance().SendDueRemindersAsync(None));
        Assert.Single(await OutboxMessagesAsync(key));
        Assert.Empty(await new PollStore(tables).ListDueAsync(clock.GetUtcNow(), None));
    }

    [Fact]
    public async Task No_reminder_for_an_answered_poll_a_reopened_ticket_or_when_reminders_are_off()
    {
        var answered = await ResolvedTicketAsync("c|1");
        var reopened = await ResolvedTicketAsync("c|2");
        var off = await ResolvedTicketAsync("c|3");
        await Instance().AskAsync(answered, None);
        await Instance().AskAsync(reopened, None);
        await Instance(reminderAfter: TimeSpan.Zero).AskAsync(off, None);
        await new PollStore(tables).UpdateAsync(answered.Number, PollRecord.CurrentResolution(answered)!.Value, p => p with { Rating = 4 }, None);
        await tickets.UpdateAsync(reopened.Number, t => new TicketChange(t with { Status = TicketStatus.InProgress, ResolvedAt = null },
            [new NewEvent("user-1", null, TicketEventKind.Reopened, "Reopened")]), None);

        clock.Advance(TimeSpan.FromDays(2.5));
        Assert.Equal(0, await Instance().SendDueRemindersAsync(None));

        foreach (var t in new[] { answered, reopened, off })
            Assert.Empty(await OutboxMessagesAsync(PollSender.ReminderKey(t.Number, t.History[^1].Seq)));
        Assert.Empty(await new PollStore(tables).ListDueAsync(clock.GetUtcNow(), None));
    }
}
