using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Conversations;
using SupportBot.Escalation;
using SupportBot.Privacy;
using SupportBot.Protocol;
using SupportBot.Surveys;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tests.Tickets;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Privacy;

// The retention purge against Azurite: what is past Retention:KeepFor goes, with every row keyed by it; nothing else does.
public sealed class RetentionPurgeTests : IAsyncLifetime
{
    static readonly CancellationToken None = CancellationToken.None;
    static readonly TimeSpan Year = TimeSpan.FromDays(365);
    readonly Azurite azurite = new();
    readonly MovableClock clock = new();
    TableServiceClient tables = null!;
    TableTicketStore store = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        tables = new TableServiceClient(azurite.ConnectionString);
        store = new TableTicketStore(tables, Options.Create(new TicketOptions()), clock);
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    async Task<int> FileAsync(string requester, string key) => (await store.FileAsync(key, n => TicketStoreTests.Sample(n, requester), None)).Ticket.Number;

    Task Resolve(int number) => store.UpdateAsync(number, t => new TicketChange(
        t with { Status = TicketStatus.Resolved, ResolvedAt = clock.GetUtcNow() },
        [new NewEvent("tech-1", "Tess", TicketEventKind.Resolved, "Resolved", "Replaced the toner")]), None);

    Task NoteAsync(int number, string text) => store.UpdateAsync(number, t => new TicketChange(t,
        [new NewEvent("tech-1", "Tess", TicketEventKind.InternalNote, "Internal note", text)]), None);

    async Task<List<TableEntity>> RowsAsync(string table)
    {
        var rows = new List<TableEntity>();
        await tables.GetTableClient(table).CreateIfNotExistsAsync();
        await foreach (var row in tables.GetTableClient(table).QueryAsync<TableEntity>()) rows.Add(row);
        return rows;
    }

    static PollRecord Poll(int ticket, DateTimeOffset at) => new()
    {
        Ticket = ticket, Resolution = 3, TicketTitle = "Printer jammed", RequesterId = "old-user", Category = "printing",
        Urgency = Urgency.Normal, FiledAt = at, ResolvedAt = at, AskedAt = at, Rating = 5,
    };

    static ConversationReference Reference(string user) => new(null, new ChannelAccount { Id = user }, new ChannelAccount { Id = "28:bot" },
        new ConversationAccount { Id = "a:" + user }, "msteams", "http://127.0.0.1:9/", "en-GB", "tenant-1");

    [Fact]
    public async Task Closed_tickets_past_the_retention_go_with_their_notes_polls_alerts_index_rows_and_claims_and_nothing_else_does()
    {
        // A year and a bit ago: one resolved ticket (with a note, a poll, a reminder, an SLA alert), one still open.
        var old = await FileAsync("old-user", "conv|old");
        await NoteAsync(old, "password is on the sticky note");
        await Resolve(old);
        var oldOpen = await FileAsync("waiting-user", "conv|old-open");
        var polls = new PollStore(tables);
        await polls.CreateAsync(Poll(old, clock.GetUtcNow()), None);
        await polls.ScheduleReminderAsync(Poll(old, clock.GetUtcNow()), clock.GetUtcNow().AddDays(2), None);
        await new SlaAlertLog(tables, clock).MarkFiredAsync(new SlaAlert(old, SlaTargetKind.Resolution, SlaState.Breached, clock.GetUtcNow()), None);
        var references = new ConversationReferenceStore(tables, clock);
        await references.SaveAsync(Reference("old-user"), None);
        await references.SaveAsync(Reference("waiting-user"), None);
        await new PendingRequestStore(tables).SaveAsync("conv|pending", "old-user", "my screen flickers", None);
        var feedback = new SupportBot.Knowledge.ArticleFeedbackStore(tables);
        await feedback.RecordSuggestionAsync("conv|old-suggestion", "old-user", ["paper-jam"], "the printer ate my payslip", None);

        clock.Advance(Year + TimeSpan.FromDays(30));
        // Recently: a resolved ticket inside the retention.
        var recent = await FileAsync("new-user", "conv|recent");
        await Resolve(recent);

        var report = await new RetentionPurge(tables, store, clock).RunAsync(Year, dryRun: false, None);

        Assert.Equal(1, report.Tickets);
        Assert.Null(await store.GetAsync(old, None));
        Assert.NotNull(await store.GetAsync(oldOpen, None));
        Assert.NotNull(await store.GetAsync(recent, None));
        Assert.DoesNotContain(await RowsAsync("Tickets"), r => r.PartitionKey == old.ToString("D10"));
        Assert.Equal(4, report.TicketRows); // state, filed, note, resolved
        Assert.Empty(await store.ListByRequesterAsync("old-user", None));
        Assert.Single(await store.ListByRequesterAsync("waiting-user", None));
        Assert.DoesNotContain(await RowsAsync("TicketRequests"), r => r.GetInt32("Number") == old);
        Assert.Equal(2, (await RowsAsync("TicketRequests")).Count);
        // The number rows written with the counter go too; the counter and the other requests' rows stay.
        Assert.Equal(1, report.RequestNumbers);
        Assert.Equal(["request~conv~7Cold-open", "request~conv~7Crecent", "tickets"],
            (await RowsAsync("Tickets")).Where(r => r.PartitionKey == "counter").Select(r => r.RowKey).Order());
        Assert.Empty(await RowsAsync("SatisfactionPolls"));
        Assert.Empty(await RowsAsync("PollReminders"));
        Assert.Empty(await RowsAsync("SlaAlerts"));
        // The reference of a user with an open ticket stays, however old: the bot must still reach them.
        var left = await RowsAsync("ConversationReferences");
        Assert.Equal(["waiting-user"], left.Select(r => r.RowKey));
        Assert.Empty(await RowsAsync("PendingRequests"));
        Assert.Equal(1, report.ConversationReferences);
        Assert.Equal(1, report.PendingRequests);
        // The old suggestion loses its words and keeps what its card offered, so the article's "shown" count stays.
        var suggestion = await feedback.GetSuggestionAsync("conv|old-suggestion", None);
        Assert.Equal("", suggestion!.Request);
        Assert.Equal(["paper-jam"], suggestion.ArticleIds);
        Assert.Equal(1, (await feedback.GetAsync("paper-jam", None)).Shown);
        Assert.Equal(1, report.SuggestionTexts);

        // Idempotent: a second run finds nothing more.
        var again = await new RetentionPurge(tables, store, clock).RunAsync(Year, dryRun: false, None);
        Assert.Equal(0, again.Tickets + again.ConversationReferences + again.PendingRequests + again.RequestClaims + again.RequestNumbers + again.SuggestionTexts);
    }

    [Fact]
    public async Task A_suggestion_inside_the_retention_keeps_its_words()
    {
        var feedback = new SupportBot.Knowledge.ArticleFeedbackStore(tables);
        await feedback.RecordSuggestionAsync("conv|new-suggestion", "new-user", ["paper-jam"], "printer jammed again", None);

        var report = await new RetentionPurge(tables, store, clock).RunAsync(TimeSpan.FromDays(1), dryRun: false, None);

        Assert.Equal(0, report.SuggestionTexts);
        Assert.Equal("printer jammed again", (await feedback.GetSuggestionAsync("conv|new-suggestion", None))!.Request);
    }

    [Fact]
    public async Task A_dry_run_counts_and_deletes_nothing()
    {
        var old = await FileAsync("old-user", "conv|old");
        await Resolve(old);
        clock.Advance(Year + TimeSpan.FromDays(1));

        var report = await new RetentionPurge(tables, store, clock).RunAsync(Year, dryRun: true, None);

        Assert.Equal(1, report.Tickets);
        Assert.Equal(3, report.TicketRows);
        Assert.Equal(1, report.IndexRows);
        Assert.Equal(1, report.RequestClaims);
        Assert.Equal(1, report.RequestNumbers);
        Assert.NotNull(await store.GetAsync(old, None));
        Assert.Single(await store.ListByRequesterAsync("old-user", None));
    }

    [Fact]
    public async Task The_purge_verb_deletes_from_the_configured_storage_and_says_what_it_did()
    {
        var old = await FileAsync("old-user", "conv|old");
        await Resolve(old);
        // The verb runs on real time: a ticket last changed now is inside any retention, so ask for a purge of nothing
        // first, then make the retention shorter than the ticket's age by back-dating the clock used to write it.
        var none = await ToolRun.BotAsync(["purge", "--older-than", "1"], new Dictionary<string, string?> { ["ConnectionStrings__Tables"] = azurite.ConnectionString });
        Assert.Equal(0, none.ExitCode);
        Assert.Contains("Deleted (older than 1 days): 0 closed tickets", none.Output);
        Assert.NotNull(await store.GetAsync(old, None));

        clock.Advance(-TimeSpan.FromDays(3));
        var older = await FileAsync("older-user", "conv|older");
        await Resolve(older);
        var run = await ToolRun.BotAsync(["purge", "--older-than", "1"], new Dictionary<string, string?> { ["ConnectionStrings__Tables"] = azurite.ConnectionString });
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Deleted (older than 1 days): 1 closed tickets", run.Output);
        Assert.Null(await store.GetAsync(older, None));
        Assert.NotNull(await store.GetAsync(old, None));
    }

    [Fact]
    public async Task A_retention_of_zero_days_is_refused()
    {
        var run = await ToolRun.BotAsync(["purge", "--older-than", "0"], new Dictionary<string, string?> { ["ConnectionStrings__Tables"] = azurite.ConnectionString });
        Assert.Equal(2, run.ExitCode);
    }
}
