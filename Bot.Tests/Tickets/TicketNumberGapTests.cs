using System.Collections.Concurrent;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tickets;

namespace SupportBot.Tests.Tickets;

// Found by bench/Chaos (22 gaps, in runs of four, in the soak): numbers reserved from the counter for a batch of filings
// and lost when storage went away (or the answer did) before each filing had written its number down.
public sealed class TicketNumberGapTests : IAsyncLifetime
{
    static readonly CancellationToken None = CancellationToken.None;
    readonly Azurite azurite = new();
    readonly MovableClock clock = new();
    TableTicketStore healthy = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        healthy = Store(new TableServiceClient(azurite.ConnectionString));
        Assert.Equal(1001, (await healthy.FileAsync("conv|first", n => TicketStoreTests.Sample(n), None)).Ticket.Number);
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    TableTicketStore Store(TableServiceClient tables) => new(tables, Options.Create(new TicketOptions()), clock);

    Task<FiledTicket> File(TableTicketStore store, string key) => store.FileAsync(key, n => TicketStoreTests.Sample(n), None);

    async Task<List<int>> StoredNumbersAsync()
    {
        var numbers = new List<int>();
        await foreach (var t in healthy.ExportAsync(None)) numbers.Add(t.Number);
        return numbers;
    }

    // The write that moves the counter: an update of its row, or a transaction with it in.
    static bool MovesCounter(HttpMessage m) => m.Request.Method != RequestMethod.Get
        && (m.Request.Uri.ToString().Contains("PartitionKey='counter'", StringComparison.Ordinal)
            || TableFaults.BatchBody(m) is var body && (body.Contains("PartitionKey='counter'", StringComparison.Ordinal) || body.Contains("\"PartitionKey\":\"counter\"", StringComparison.Ordinal)));

    static bool AddsClaim(HttpMessage m) => m.Request.Method == RequestMethod.Post && m.Request.Uri.Path.EndsWith("/TicketRequests", StringComparison.Ordinal);

    // A store whose next counter write is held until four more filings are waiting for numbers, so those four are
    // numbered together, by one counter write, as a burst is.
    sealed class Batching(Action<HttpMessage>? beforeSending = null, Action<HttpMessage>? afterResponse = null)
    {
        readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        int claims, counterWrites;
        public int CounterWrites => Volatile.Read(ref counterWrites);

        public TableServiceClient Client(string connectionString) => TableFaults.Client(connectionString, async m =>
        {
            if (MovesCounter(m) && Interlocked.Increment(ref counterWrites) == 1)
            {
                held.TrySetResult();
                await release.Task;
            }
            beforeSending?.Invoke(m);
        }, m =>
        {
            if (AddsClaim(m) && m.Response.Status < 300) Interlocked.Increment(ref claims);
            afterResponse?.Invoke(m);
        });

        public async Task<Task<FiledTicket>[]> FileAsync(TableTicketStore store, string[] keys)
        {
            var holder = File(store, "conv|holder");
            await held.Task;
            var filings = keys.Select(key => File(store, key)).ToArray();
            // Each filing claims its request, then queues for a number: wait for the queue itself, not a guess at how long
            // that takes (on a loaded machine it can be longer than any fixed pause).
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while (Volatile.Read(ref claims) < keys.Length + 1 || store.WaitingForNumbers < keys.Length)
            {
                if (watch.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"{store.WaitingForNumbers} of {keys.Length} filings queued for a number");
                await Task.Delay(10);
            }
            release.TrySetResult();
            return [holder, .. filings];
        }

        static Task<FiledTicket> File(TableTicketStore store, string key) => store.FileAsync(key, n => TicketStoreTests.Sample(n), None);
    }

    [Fact]
    public async Task Numbers_reserved_for_a_batch_just_before_storage_goes_away_go_to_the_same_requests_when_they_come_again()
    {
        bool outage = false;
        var answered = 0;
        var batching = new Batching(beforeSending: _ =>
        {
            if (Volatile.Read(ref outage)) throw new RequestFailedException("Azurite is down (test)");
        }, afterResponse: m =>
        {
            // Storage goes away just after the second counter write (the batch of four) was answered.
            if (MovesCounter(m) && m.Response.Status < 300 && Interlocked.Increment(ref answered) == 2) Volatile.Write(ref outage, true);
        });
        var faulty = Store(batching.Client(azurite.ConnectionString));
        string[] keys = ["conv|a", "conv|b", "conv|c", "conv|d"];

        var filings = await batching.FileAsync(faulty, keys);
        foreach (var filing in filings[1..])
            await Assert.ThrowsAsync<RequestFailedException>(() => filing);
        try { await filings[0]; } catch (RequestFailedException) { } // the holder may have been writing its ticket too
        Assert.Equal(2, batching.CounterWrites); // the holder's, then one for all four

        clock.Advance(TimeSpan.FromMinutes(1)); // past any abandoned-claim takeover
        var again = await Task.WhenAll(keys.Prepend("conv|holder").Select(key => File(healthy, key)));
        var next = await File(healthy, "conv|next");

        Assert.Equal(Enumerable.Range(1001, 7), await StoredNumbersAsync());
        Assert.Equal([1002, 1003, 1004, 1005, 1006], again.Select(f => f.Ticket.Number).Order());
        Assert.Equal(1007, next.Ticket.Number);
    }

    [Fact]
    public async Task A_reservation_that_committed_but_whose_answer_was_lost_gives_the_request_the_same_number_when_it_comes_again()
    {
        var lost = 0;
        var faulty = Store(TableFaults.Client(azurite.ConnectionString, _ => ValueTask.CompletedTask, m =>
        {
            if (MovesCounter(m) && m.Response.Status < 300 && Interlocked.Exchange(ref lost, 1) == 0)
                throw new RequestFailedException("The connection was reset (test): the answer is lost, the write is not");
        }));

        await Assert.ThrowsAsync<RequestFailedException>(() => File(faulty, "conv|lost"));
        clock.Advance(TimeSpan.FromMinutes(1));
        var again = await File(healthy, "conv|lost");
        var next = await File(healthy, "conv|next");

        Assert.Equal(1002, again.Ticket.Number);
        Assert.Equal(1003, next.Ticket.Number);
        Assert.Equal([1001, 1002, 1003], await StoredNumbersAsync());
    }

    // Pressed "Try again" straight away: the number waits for it, the filing does not wait out another turn's claim.
    [Fact]
    public async Task One_filing_of_a_batch_that_fails_after_the_reservation_gets_its_number_when_tried_again_at_once()
    {
        var failing = true;
        var batching = new Batching(beforeSending: m =>
        {
            if (Volatile.Read(ref failing) && m.Request.Method != RequestMethod.Get && m.Request.Method != RequestMethod.Post
                && m.Request.Uri.ToString().Contains("TicketRequests(PartitionKey='conv~7Cc'", StringComparison.Ordinal))
                throw new RequestFailedException("This one write failed (test)");
        });
        var faulty = Store(batching.Client(azurite.ConnectionString));
        string[] keys = ["conv|a", "conv|b", "conv|c", "conv|d"];

        var filings = await batching.FileAsync(faulty, keys);
        await Assert.ThrowsAsync<RequestFailedException>(() => filings[3]);
        var filed = await Task.WhenAll(filings.Where((_, i) => i != 3));
        Assert.Equal(2, batching.CounterWrites);
        Volatile.Write(ref failing, false);

        var again = await File(faulty, "conv|c");
        var next = await File(healthy, "conv|next");

        Assert.Equal(Enumerable.Range(1001, 7), await StoredNumbersAsync());
        Assert.Equal([1003, 1004, 1005, 1006], filed.Skip(1).Append(again).Select(f => f.Ticket.Number).Order());
        Assert.Equal(1007, next.Ticket.Number);
    }

    // A filing held up after it read the counter, whose claim another instance took over and numbered meanwhile: the
    // request has its number, and the slow one takes that number rather than another.
    [Fact]
    public async Task A_slow_filing_whose_claim_was_taken_over_and_numbered_meanwhile_takes_no_second_number()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = Store(TableFaults.Client(azurite.ConnectionString, async m =>
        {
            if (!MovesCounter(m) || held.Task.IsCompleted) return;
            held.TrySetResult();
            await release.Task;
        }, _ => { }));

        var slowFiling = File(slow, "conv|slow");
        await held.Task;
        clock.Advance(TimeSpan.FromMinutes(1));
        var takenOver = await File(healthy, "conv|slow");
        release.TrySetResult();
        var slowFiled = await slowFiling;
        var next = await File(healthy, "conv|next");

        Assert.Equal(1002, takenOver.Ticket.Number);
        Assert.Equal(1002, slowFiled.Ticket.Number);
        Assert.Equal(1003, next.Ticket.Number);
        Assert.Equal([1001, 1002, 1003], await StoredNumbersAsync());
    }

    // One transaction holds at most 100 actions: the counter and 99 requests; a larger burst takes more than one.
    [Fact]
    public async Task A_burst_of_more_filings_than_one_transaction_holds_gets_consecutive_numbers()
    {
        var batching = new Batching();
        var store = Store(batching.Client(azurite.ConnectionString));
        var keys = Enumerable.Range(0, 120).Select(i => $"conv|burst-{i}").ToArray();

        var filed = await Task.WhenAll(await batching.FileAsync(store, keys));

        Assert.Equal(Enumerable.Range(1002, 121), filed.Select(f => f.Ticket.Number).Order());
        Assert.Equal(Enumerable.Range(1001, 122), await StoredNumbersAsync());
    }

    // The requests' number rows ride on the counter write: a filing costs what it did before them (its claim, the
    // counter read, the counter write, the claim's number, the ticket, two index rows).
    [Fact]
    public async Task A_filing_takes_seven_storage_round_trips()
    {
        var calls = new ConcurrentQueue<string>();
        var counted = Store(TableFaults.Client(azurite.ConnectionString, m =>
        {
            calls.Enqueue($"{m.Request.Method} {m.Request.Uri.Path}");
            return ValueTask.CompletedTask;
        }, _ => { }));
        await File(counted, "conv|warm-up"); // creates its tables
        calls.Clear();

        await File(counted, "conv|counted");

        Assert.True(calls.Count == 7, string.Join("\n", calls));
    }
}
