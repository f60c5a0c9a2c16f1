using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;
using SupportBot.Triage;

namespace SupportBot.Tests.Tickets;

// The ticket store against a real Table service (Azurite, on its own port).
public sealed class TicketStoreTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    TableServiceClient tables = null!;
    TableTicketStore store = null!;
    static readonly CancellationToken None = CancellationToken.None;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        tables = new TableServiceClient(azurite.ConnectionString);
        store = NewStore();
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    TableTicketStore NewStore() => new(tables, Options.Create(new TicketOptions()), TimeProvider.System);

    // A store whose every storage call (method, path and query) is added to calls.
    TableTicketStore CountingStore(List<string> calls) =>
        new(TableFaults.Client(azurite.ConnectionString, m => { lock (calls) calls.Add($"{m.Request.Method} {m.Request.Uri.PathAndQuery}"); }),
            Options.Create(new TicketOptions()), TimeProvider.System);

    internal static Ticket Sample(int number, string requester = "user-1", Urgency urgency = Urgency.Normal, string problem = "printer jammed",
        DateTimeOffset? due = null, string title = "Printer jammed") => new()
    {
        Number = number,
        Title = title,
        Problem = problem,
        Requester = new Person(requester, "Sam Requester", "aad-" + requester, "sam@example.org", "sam@example.org", "Science", "Teacher", "Room 12"),
        Urgency = urgency,
        UrgencyReason = "test",
        Category = "printing",
        TriageReasons = ["model: normal 0.80"],
        CreatedAt = DateTimeOffset.UtcNow,
        FirstResponseDueAt = due ?? DateTimeOffset.UtcNow.AddHours(4),
    };

    [Fact]
    public async Task A_summary_is_one_point_read_of_the_state_row_and_agrees_with_the_ticket()
    {
        var calls = new List<string>();
        var counted = CountingStore(calls);
        var number = (await counted.FileAsync("conv|act-1", n => Sample(n), None)).Ticket.Number;
        await counted.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.WaitingOnRequester, Assignee = new Person("tech-1", "Taylor") },
            [new NewEvent("tech-1", "Taylor", TicketEventKind.StatusChanged, "Waiting for you", "Which room?")]), None);
        calls.Clear();

        var summary = await counted.GetSummaryAsync(number, None);

        var call = Assert.Single(calls);
        Assert.StartsWith("GET ", call);
        Assert.DoesNotContain("$filter", Uri.UnescapeDataString(call));
        Assert.Equal(TicketSummary.Of((await counted.GetAsync(number, None))!) with { Reopened = null }, summary);
        Assert.Equal(TicketStatus.WaitingOnRequester, summary!.Status);
        Assert.Null(await counted.GetSummaryAsync(number + 1, None));
    }

    // Azurite scans the whole table for every query, even for one partition (bench/Chaos soak13): a ticket is read by
    // point reads of its state row (which carries the history) and its two card rows.
    [Fact]
    public async Task A_ticket_is_read_by_point_reads_alone_with_its_history_and_cards()
    {
        var calls = new List<string>();
        var counted = CountingStore(calls);
        var number = (await counted.FileAsync("conv|act-1", n => Sample(n), None)).Ticket.Number;
        await counted.RememberCardAsync(number, TicketCardRole.Requester, new PostedCard("http://127.0.0.1:9/", "a:user-1", "card-1"), None);
        await counted.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.WaitingOnRequester },
            [new NewEvent("tech-1", "Taylor", TicketEventKind.StatusChanged, "Waiting for you", "Which room?")]), None);
        calls.Clear();

        var ticket = (await counted.GetAsync(number, None))!;

        Assert.Equal(3, calls.Count);
        Assert.All(calls, call => Assert.DoesNotContain("$filter", Uri.UnescapeDataString(call)));
        Assert.Equal(["Filed as a normal request", "Waiting for you"], ticket.History.Select(e => e.Summary));
        Assert.Equal("Which room?", ticket.History[1].Text);
        Assert.Equal("card-1", ticket.RequesterCard?.ActivityId);
        Assert.Null(ticket.TechnicianCard);
    }

    // A history too long for one property, or a state row written before it carried the history, is read from the
    // event rows, as before.
    [Fact]
    public async Task A_ticket_whose_state_row_lacks_its_history_is_read_from_its_event_rows()
    {
        var number = (await store.FileAsync("conv|act-1", n => Sample(n), None)).Ticket.Number;
        for (var i = 0; i < 20; i++)
            await store.UpdateAsync(number, t => new TicketChange(t, [new NewEvent("user-1", "Sam", TicketEventKind.RequesterDetails, "Added details", $"{i}: " + new string('x', 1_990))]), None);
        var small = (await store.FileAsync("conv|act-2", n => Sample(n), None)).Ticket.Number;
        var table = tables.GetTableClient("Tickets");
        var state = (await table.GetEntityAsync<TableEntity>(small.ToString("D10"), "ticket")).Value;
        Assert.NotNull(state.GetString("History"));
        state.Remove("History");
        await table.UpdateEntityAsync(state, state.ETag, TableUpdateMode.Replace);

        var longOne = (await store.GetAsync(number, None))!;
        var older = (await store.GetAsync(small, None))!;

        Assert.Null((await table.GetEntityAsync<TableEntity>(number.ToString("D10"), "ticket")).Value.GetString("History"));
        Assert.Equal(21, longOne.History.Count);
        Assert.Equal(Enumerable.Range(1, 21), longOne.History.Select(e => e.Seq));
        Assert.StartsWith("19: ", longOne.History[^1].Text);
        Assert.Equal("Filed as a normal request", Assert.Single(older.History).Summary);
    }

    [Fact]
    public async Task Remembering_where_a_card_was_posted_is_one_write_that_leaves_the_ticket_and_its_index_alone()
    {
        var calls = new List<string>();
        var counted = new TableTicketStore(TableFaults.Client(azurite.ConnectionString, m => { lock (calls) calls.Add($"{m.Request.Method} {m.Request.Uri.Path}"); }),
            Options.Create(new TicketOptions()), TimeProvider.System);
        var filed = (await counted.FileAsync("conv|act-1", n => Sample(n), None)).Ticket;
        var listed = Assert.Single(await counted.ListByRequesterAsync("user-1", None));
        calls.Clear();

        await counted.RememberCardAsync(filed.Number, TicketCardRole.Requester, new PostedCard("http://127.0.0.1:9/", "a:user-1", "card-1"), None);
        await counted.RememberCardAsync(filed.Number, TicketCardRole.Technician, new PostedCard(null, "19:tickets", "card-2"), None);
        await counted.RememberCardAsync(filed.Number, TicketCardRole.Requester, new PostedCard("http://127.0.0.1:9/", "a:user-1", "card-3"), None);

        Assert.Equal(3, calls.Count);
        var read = (await counted.GetAsync(filed.Number, None))!;
        // The first requester card stored stays: a second copy's id does not replace it (see RememberCardAsync).
        Assert.Equal(new PostedCard("http://127.0.0.1:9/", "a:user-1", "card-1"), read.RequesterCard);
        Assert.Equal(new PostedCard(null, "19:tickets", "card-2"), read.TechnicianCard);
        Assert.Equal((filed.UpdatedAt, filed.History.Count), (read.UpdatedAt, read.History.Count));
        Assert.Equal(listed, Assert.Single(await counted.ListByRequesterAsync("user-1", None)));

        // A change made afterwards keeps both cards, and so does the export.
        await counted.UpdateAsync(filed.Number, t => new TicketChange(t with { Status = TicketStatus.InProgress }, [new NewEvent("tech-1", "Tess", TicketEventKind.Assigned, "Assigned")]), None);
        var changed = (await counted.GetAsync(filed.Number, None))!;
        Assert.Equal(("card-1", "card-2"), (changed.RequesterCard?.ActivityId, changed.TechnicianCard?.ActivityId));
        var exported = new List<Ticket>();
        await foreach (var t in counted.ExportAsync(None)) exported.Add(t);
        Assert.Equal(("card-1", "card-2"), (Assert.Single(exported).RequesterCard?.ActivityId, exported[0].TechnicianCard?.ActivityId));
    }

    [Fact]
    public async Task A_filed_ticket_reads_back_with_every_field_and_its_first_history_entry()
    {
        var filed = await store.FileAsync("conv|act-1", n => Sample(n) with { SuggestedArticles = ["paper-jam"], SuggestionsHelped = false }, None);

        Assert.True(filed.Created);
        Assert.Equal(1001, filed.Ticket.Number);
        var read = await store.GetAsync(filed.Ticket.Number, None);
        Assert.NotNull(read);
        Assert.Equal("printer jammed", read.Problem);
        Assert.Equal("Science", read.Requester.Department);
        Assert.Equal("Room 12", read.Requester.OfficeLocation);
        Assert.Equal(["paper-jam"], read.SuggestedArticles);
        Assert.False(read.SuggestionsHelped);
        Assert.Equal(TicketStatus.New, read.Status);
        var first = Assert.Single(read.History);
        Assert.Equal(TicketEventKind.Filed, first.Kind);
        Assert.Equal("user-1", first.ById);
    }

    [Fact]
    public async Task The_same_request_filed_three_times_and_by_two_store_instances_is_one_ticket()
    {
        var other = NewStore(); // a second bot instance on the same storage
        var results = await Task.WhenAll(
            store.FileAsync("conv|same", n => Sample(n), None),
            other.FileAsync("conv|same", n => Sample(n), None),
            store.FileAsync("conv|same", n => Sample(n), None));

        Assert.Single(results.Select(r => r.Ticket.Number).Distinct());
        Assert.Single(results, r => r.Created);
        Assert.Single(await store.ListByRequesterAsync("user-1", None));
        var next = await store.FileAsync("conv|different", n => Sample(n), None);
        Assert.Equal(results[0].Ticket.Number + 1, next.Ticket.Number);
    }

    [Fact]
    public async Task Fifty_concurrent_filings_on_two_instances_get_fifty_distinct_consecutive_numbers()
    {
        var stores = new[] { store, NewStore() };
        var filed = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => stores[i % 2].FileAsync($"conv|{i}", n => Sample(n), None)));

        var numbers = filed.Select(f => f.Ticket.Number).Order().ToList();
        Assert.Equal(Enumerable.Range(1001, 50), numbers);
    }

    // Found by bench/Chaos (91 gaps in the soak): a turn whose deadline passed just after it took a number from the
    // counter lost that number, and its retry, taking the claim over, got another one.
    [Fact]
    public async Task A_filing_whose_turn_is_cancelled_right_after_it_takes_a_number_leaves_no_gap()
    {
        var clock = new MovableClock();
        using var deadline = new CancellationTokenSource();
        var options = new TableClientOptions();
        // The counter's write: a transaction with the counter row in it.
        options.AddPolicy(new AfterResponse(m => m.Request.Method == RequestMethod.Post
            && TableFaults.BatchBody(m).Contains("PartitionKey='counter'", StringComparison.Ordinal), deadline.Cancel), HttpPipelinePosition.PerCall);
        var cut = new TableTicketStore(new TableServiceClient(azurite.ConnectionString, options), Options.Create(new TicketOptions()), clock);
        var sameStorage = new TableTicketStore(tables, Options.Create(new TicketOptions()), clock);
        Assert.Equal(1001, (await sameStorage.FileAsync("conv|first", n => Sample(n), None)).Ticket.Number);

        // The counter update is answered, then the turn's deadline passes before anything else.
        try { await cut.FileAsync("conv|cut-off", n => Sample(n), deadline.Token); }
        catch (OperationCanceledException) { }
        Assert.True(deadline.IsCancellationRequested);
        var next = await sameStorage.FileAsync("conv|next", n => Sample(n), None);
        clock.Advance(TimeSpan.FromMinutes(1)); // past any abandoned-claim takeover
        var retried = await sameStorage.FileAsync("conv|cut-off", n => Sample(n), None);

        var numbers = new List<int>();
        await foreach (var t in sameStorage.ExportAsync(None)) numbers.Add(t.Number);
        Assert.Equal([1001, 1002, 1003], numbers);
        Assert.Equal(1002, retried.Ticket.Number);
        Assert.Equal(1003, next.Ticket.Number);
    }

    sealed class AfterResponse(Func<HttpMessage, bool> when, Action then) : HttpPipelineSynchronousPolicy
    {
        public override void OnReceivedResponse(HttpMessage message)
        {
            if (when(message) && message.Response.Status < 300) then();
        }
    }

    [Fact]
    public async Task Two_concurrent_updates_of_one_ticket_both_survive()
    {
        var number = (await store.FileAsync("conv|1", n => Sample(n), None)).Ticket.Number;
        var other = NewStore();
        // Both read the same version before either writes, so one must lose its ETag check and apply its change again.
        using var bothRead = new Barrier(2);
        int locationCalls = 0, assignCalls = 0;

        await Task.WhenAll(
            Task.Run(() => store.UpdateAsync(number, t =>
            {
                if (Interlocked.Increment(ref locationCalls) == 1) bothRead.SignalAndWait(TimeSpan.FromSeconds(10));
                return new TicketChange(t with { Location = "Room 6" }, []); // no history row: only the ETag protects it
            }, None)),
            Task.Run(() => other.UpdateAsync(number, t =>
            {
                if (Interlocked.Increment(ref assignCalls) == 1) bothRead.SignalAndWait(TimeSpan.FromSeconds(10));
                return new TicketChange(t with { Status = TicketStatus.InProgress, Assignee = new Person("tech-1", "Taylor") },
                    [new NewEvent("tech-1", "Taylor", TicketEventKind.Assigned, "Assigned to Taylor")]);
            }, None)));

        Assert.True(locationCalls + assignCalls >= 3, "one of the two changes should have been re-applied to a fresh read");
        var read = (await store.GetAsync(number, None))!;
        Assert.Equal("Room 6", read.Location);
        Assert.Equal(TicketStatus.InProgress, read.Status);
        Assert.Equal("tech-1", read.Assignee?.TeamsId);
        Assert.Equal([1, 2], read.History.Select(e => e.Seq));
        Assert.Equal([number], (await store.ListByAssigneeAsync("tech-1", None)).Select(s => s.Number));
        Assert.Equal(TicketStatus.InProgress, Assert.Single(await store.ListOpenAsync(None)).Status);
    }

    [Fact]
    public async Task A_change_with_an_id_already_in_the_history_is_not_applied_twice()
    {
        var number = (await store.FileAsync("conv|1", n => Sample(n), None)).Ticket.Number;
        TicketChange Note(Ticket t) => new(t, [new NewEvent("user-1", "Sam", TicketEventKind.RequesterDetails, "Details", "same note")], ChangeId: "conv|user-1|invoke-7");

        var first = await store.UpdateAsync(number, Note, None);
        var again = await store.UpdateAsync(number, Note, None);

        Assert.True(first!.Changed);
        Assert.False(again!.Changed);
        Assert.Single((await store.GetAsync(number, None))!.NotesForRequester);
    }

    [Fact]
    public async Task A_closed_ticket_leaves_the_queue_even_when_an_earlier_index_write_was_lost()
    {
        var number = (await store.FileAsync("conv|1", n => Sample(n), None)).Ticket.Number;
        await store.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.Cancelled }, []), None);
        // Simulate a crash between the state write and the index: put the queue row back.
        var index = tables.GetTableClient("TicketIndex");
        var open = await index.QueryAsync<Azure.Data.Tables.TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"requester~user-1"}")).FirstAsync();
        var due = (await store.GetAsync(number, None))!.FirstResponseDueAt;
        await index.UpsertEntityAsync(new Azure.Data.Tables.TableEntity("open", $"1-{due.UtcTicks:D19}-{number:D10}") { ["Summary"] = open.GetString("Summary") });
        Assert.NotEmpty(await store.ListOpenAsync(None));

        await store.UpdateAsync(number, _ => null, None); // any later look at the ticket repairs its index

        Assert.DoesNotContain(await store.ListOpenAsync(None), s => s.Number == number && s.Status == TicketStatus.Cancelled);
    }

    [Fact]
    public async Task A_declined_change_writes_nothing_and_an_unknown_number_is_null()
    {
        var number = (await store.FileAsync("conv|1", n => Sample(n), None)).Ticket.Number;

        var declined = await store.UpdateAsync(number, _ => null, None);

        Assert.NotNull(declined);
        Assert.False(declined.Changed);
        Assert.Single((await store.GetAsync(number, None))!.History);
        Assert.Null(await store.UpdateAsync(99999, t => new TicketChange(t, []), None));
        Assert.Null(await store.GetAsync(99999, None));
    }

    [Fact]
    public async Task Queries_return_the_right_tickets_in_the_right_order()
    {
        var now = DateTimeOffset.UtcNow;
        var a = await File("a", "user-1", Urgency.Normal, now.AddHours(2));
        var b = await File("b", "user-2", Urgency.Emergency, now.AddMinutes(30));
        var c = await File("c", "user-1", Urgency.Normal, now.AddHours(1));
        var d = await File("d", "user-1", Urgency.Emergency, now.AddMinutes(15));
        await store.UpdateAsync(a, t => new TicketChange(t with { Assignee = new Person("tech-1", "Taylor"), Status = TicketStatus.InProgress }, []), None);
        await store.UpdateAsync(b, t => new TicketChange(t with { Assignee = new Person("tech-1", "Taylor") }, []), None);
        await store.UpdateAsync(c, t => new TicketChange(t with { Status = TicketStatus.Resolved }, []), None);

        Assert.Equal([d, c, a], (await store.ListByRequesterAsync("user-1", None)).Select(s => s.Number));
        Assert.Equal([b], (await store.ListByRequesterAsync("user-2", None)).Select(s => s.Number));
        // Open queue: emergencies first (soonest due first), then normal by due time; the resolved one is gone.
        Assert.Equal([d, b, a], (await store.ListOpenAsync(None)).Select(s => s.Number));
        Assert.Equal([b, a], (await store.ListByAssigneeAsync("tech-1", None)).Select(s => s.Number));
        Assert.Equal(TicketStatus.Resolved, (await store.ListByRequesterAsync("user-1", None)).Single(s => s.Number == c).Status);

        // Reassigning moves the ticket from one technician's list to the other's.
        await store.UpdateAsync(a, t => new TicketChange(t with { Assignee = new Person("tech-2", "Jo") }, []), None);
        Assert.Equal([b], (await store.ListByAssigneeAsync("tech-1", None)).Select(s => s.Number));
        Assert.Equal([a], (await store.ListByAssigneeAsync("tech-2", None)).Select(s => s.Number));
    }

    async Task<int> File(string key, string requester, Urgency urgency, DateTimeOffset due) =>
        (await store.FileAsync(key, n => Sample(n, requester, urgency, due: due), None)).Ticket.Number;

    [Theory]
    [InlineData("quotes ' \" and `backticks`")]
    [InlineData("slashes / \\ hash # question ? percent % tilde ~")]
    [InlineData("control \u0001\u0007\u001f tab\t newline\r\n end")]
    [InlineData("emoji 😀🔥👩🏽‍💻 and ünïcødé 中文 עברית")]
    [InlineData("PartitionKey eq 'x' or true")]
    public async Task Hostile_text_in_every_field_round_trips_unchanged(string hostile)
    {
        var requester = "29:" + hostile;
        var filed = await store.FileAsync("conv|" + hostile, n => Sample(n, requester, problem: hostile, title: hostile) with
        {
            Location = hostile,
            Requester = new Person(requester, hostile, hostile, hostile, hostile, hostile, hostile, hostile),
        }, None);
        await store.UpdateAsync(filed.Ticket.Number, t => new TicketChange(t with { Assignee = new Person(hostile, hostile) },
            [new NewEvent(hostile, hostile, TicketEventKind.InternalNote, hostile, hostile)]), None);

        var read = (await store.GetAsync(filed.Ticket.Number, None))!;
        Assert.Equal(hostile, read.Problem);
        Assert.Equal(hostile, read.Title);
        Assert.Equal(hostile, read.Location);
        Assert.Equal(new Person(requester, hostile, hostile, hostile, hostile, hostile, hostile, hostile), read.Requester);
        Assert.Equal(hostile, read.History[^1].Text);
        Assert.Equal(hostile, read.History[^1].ById);
        Assert.Equal(filed.Ticket.Number, Assert.Single(await store.ListByRequesterAsync(requester, None)).Number);
        Assert.Equal(filed.Ticket.Number, Assert.Single(await store.ListByAssigneeAsync(hostile, None)).Number);
        // Replaying the hostile key finds the same ticket.
        Assert.False((await store.FileAsync("conv|" + hostile, n => Sample(n, requester), None)).Created);
    }

    [Fact]
    public async Task A_four_thousand_character_problem_of_emoji_and_a_long_history_are_kept()
    {
        var problem = string.Concat(Enumerable.Repeat("😀", TicketLimits.ProblemChars / 2));
        var number = (await store.FileAsync("conv|long", n => Sample(n, problem: problem), None)).Ticket.Number;
        var note = new string('n', TicketLimits.NoteChars);
        for (var i = 0; i < 120; i++)
            await store.UpdateAsync(number, t => new TicketChange(t, [new NewEvent("tech-1", "Taylor", TicketEventKind.InternalNote, "Internal note", note)]), None);

        var read = (await store.GetAsync(number, None))!;
        Assert.Equal(problem, read.Problem);
        Assert.Equal(121, read.History.Count);
        Assert.All(read.InternalNotes, e => Assert.Equal(note, e.Text));
    }

    [Fact]
    public async Task Index_rows_of_a_slow_change_that_land_late_never_leave_the_older_status_behind()
    {
        // One instance's "assigned" has committed, but its index writes are held up while another instance's "waiting for
        // you" commits and projects; the held writes then land on top of the newer rows.
        var number = (await store.FileAsync("conv|race", n => Sample(n), None)).Ticket.Number;
        var holding = true;
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var slow = new TableTicketStore(TableFaults.Client(azurite.ConnectionString, async m =>
        {
            if (Volatile.Read(ref holding) && m.Request.Method == RequestMethod.Put && m.Request.Uri.Path.Contains("/TicketIndex(", StringComparison.Ordinal))
            {
                held.TrySetResult();
                await release.Task;
            }
        }, _ => { }), Options.Create(new TicketOptions()), TimeProvider.System);
        var tech = new Person("tech-1", "Tess");

        var assigned = slow.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.InProgress, Assignee = tech },
            [new NewEvent("tech-1", "Tess", TicketEventKind.Assigned, "Assigned to Tess")]), None);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await store.UpdateAsync(number, t => new TicketChange(t with { Status = TicketStatus.WaitingOnRequester },
            [new NewEvent("tech-1", "Tess", TicketEventKind.StatusChanged, "Waiting for the requester")]), None);
        Volatile.Write(ref holding, false);
        release.SetResult();
        await assigned;

        Assert.Equal(TicketStatus.WaitingOnRequester, (await store.GetAsync(number, None))!.Status);
        Assert.Equal(TicketStatus.WaitingOnRequester, Assert.Single(await store.ListByRequesterAsync("user-1", None)).Status);
        Assert.Equal(TicketStatus.WaitingOnRequester, Assert.Single(await store.ListOpenAsync(None)).Status);
        Assert.Equal(TicketStatus.WaitingOnRequester, Assert.Single(await store.ListByAssigneeAsync("tech-1", None)).Status);
    }

    [Fact]
    public async Task Export_returns_every_ticket_with_its_history_in_number_order()
    {
        var numbers = new List<int>();
        for (var i = 0; i < 3; i++)
            numbers.Add((await store.FileAsync($"conv|{i}", n => Sample(n), None)).Ticket.Number);
        await store.UpdateAsync(numbers[1], t => new TicketChange(t with { Status = TicketStatus.Cancelled },
            [new NewEvent("user-1", "Sam", TicketEventKind.Cancelled, "Cancelled by the requester")]), None);

        var exported = new List<Ticket>();
        await foreach (var t in store.ExportAsync(None)) exported.Add(t);

        Assert.Equal(numbers, exported.Select(t => t.Number));
        Assert.Equal(2, exported[1].History.Count);
        Assert.Equal(TicketStatus.Cancelled, exported[1].Status);
    }
}
