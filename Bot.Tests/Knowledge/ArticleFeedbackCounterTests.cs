using System.Diagnostics;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using SupportBot.Knowledge;
using SupportBot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupportBot.Tests.Knowledge;

// The shown, read and vote counters under concurrency, replays and storage failures, against a real Table service (Azurite).
public sealed class ArticleFeedbackCounterTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly CancellationToken None = CancellationToken.None;
    readonly Azurite azurite = new();
    readonly TableTraffic traffic = new();
    ArticleFeedbackStore feedback = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 0; // an injected failure fails at once
        options.AddPolicy(traffic, HttpPipelinePosition.PerRetry);
        feedback = new ArticleFeedbackStore(new TableServiceClient(azurite.ConnectionString, options));
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    [Fact]
    public async Task A_hundred_simultaneous_suggestions_of_one_article_all_succeed_and_all_count()
    {
        await feedback.RecordSuggestionAsync("warm-up", "user-a", ["other"], "warm up", None); // creates the table
        traffic.Clear();

        var started = Stopwatch.StartNew();
        var calls = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            await Task.Yield();
            var call = Stopwatch.StartNew();
            await feedback.RecordSuggestionAsync($"s-{i}", $"user-{i}", ["out-of-office"], "automatic reply", None);
            return call.Elapsed.TotalMilliseconds;
        }));
        var wall = started.Elapsed;
        var requests = traffic.Requests;

        Array.Sort(calls);
        output.WriteLine($"100 concurrent RecordSuggestionAsync: wall {wall.TotalMilliseconds:0} ms, per call p50 {calls[49]:0} ms, p99 {calls[98]:0} ms, max {calls[^1]:0} ms");
        var stats = await feedback.GetAsync("out-of-office", None);
        Assert.Equal(new ArticleStats("out-of-office", 100, 0, 0), stats);
        // No call waits for another: one insert for each suggestion (which is what counts as shown), no reads, updates or retries.
        // (Wall time here is Azurite's: it serves requests one at a time, a few ms each.)
        Assert.Equal(Enumerable.Repeat("POST", 100), requests.Select(r => r.Method));
    }

    // Each suggestion has a partition of its own (one partition for all of them was the largest of the soak, and Azurite
    // reads a partition row by row on every insert); suggestions an older build kept in that one partition still count
    // and can still be answered, once.
    [Fact]
    public async Task Suggestions_in_the_old_single_partition_are_still_found_answered_and_counted_once()
    {
        await feedback.RecordSuggestionAsync("new-1", "user-a", ["vpn"], "vpn drops", None);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("KnowledgeFeedback");
        await table.AddEntityAsync(new TableEntity("suggestion", "old-1") { ["RequesterId"] = "user-b", ["ArticleIds"] = "vpn\nwifi-drops", ["Request"] = "vpn and wifi" });
        await table.AddEntityAsync(new TableEntity("needhelp", "old-2"));
        // Answered by an older build, then its message replayed to this one, which wrote the suggestion again.
        await table.AddEntityAsync(new TableEntity("suggestion", "old-3") { ["RequesterId"] = "user-c", ["ArticleIds"] = "vpn", ["Request"] = "vpn", ["Outcome"] = "" });
        await table.AddEntityAsync(new TableEntity("needhelp", "old-3"));
        await feedback.RecordSuggestionAsync("old-3", "user-c", ["vpn"], "vpn", None);

        Assert.Contains("suggestion~new-1", await PartitionsAsync());

        Assert.Equal(VoteOutcome.NotYours, (await feedback.RecordOutcomeAsync("old-1", "user-a", "vpn", None)).Outcome);
        Assert.Equal(VoteOutcome.Counted, (await feedback.RecordOutcomeAsync("old-1", "user-b", null, None)).Outcome);
        Assert.Equal(VoteOutcome.AlreadyAnswered, (await feedback.RecordOutcomeAsync("old-1", "user-b", null, None)).Outcome);
        Assert.Equal(VoteOutcome.Counted, (await feedback.RecordOutcomeAsync("new-1", "user-a", null, None)).Outcome);
        Assert.Equal(VoteOutcome.AlreadyAnswered, (await feedback.RecordOutcomeAsync("old-3", "user-c", "vpn", None)).Outcome);
        Assert.Contains("needhelp~new-1", await PartitionsAsync());

        Assert.Equal("", (await feedback.GetSuggestionAsync("old-1", None))!.Outcome);
        // Shown once each, however many rows a suggestion has; "still need help" once each.
        Assert.Equal(new ArticleStats("vpn", 3, 0, 0), await feedback.GetAsync("vpn", None));
        Assert.Equal(new ArticleStats("wifi-drops", 1, 0, 0), await feedback.GetAsync("wifi-drops", None));
        Assert.Equal(4, await feedback.CountStillNeedHelpAsync(None));

        async Task<List<string>> PartitionsAsync()
        {
            var found = new List<string>();
            await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey"])) found.Add(row.PartitionKey);
            return found;
        }
    }

    [Fact]
    public async Task Recording_is_one_insert_per_count_and_only_the_suggestion_row_is_ever_read_or_updated()
    {
        await feedback.RecordSuggestionAsync("warm-up", "user-a", ["other"], "warm up", None);
        traffic.Clear();

        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline"], "printer jammed", None);
        Assert.Equal(["POST"], traffic.Requests.Select(r => r.Method)); // the suggestion, which counts its articles as shown

        traffic.Clear();
        await feedback.RecordOutcomeAsync("s-1", "user-a", null, None);
        var requests = traffic.Requests;
        Assert.Equal(1, requests.Count(r => r.Method == "POST")); // one still-need-help for the suggestion, whatever it offered
        var others = requests.Where(r => r.Method != "POST").ToList();
        // Read the suggestion (where this build writes it, and where older builds did), write its answer.
        Assert.Equal(["GET", "GET", "PATCH"], others.Select(r => r.Method).Order());
        Assert.All(others, r => Assert.Contains("RowKey='s-1')", Uri.UnescapeDataString(r.Uri)));
        Assert.Contains("(PartitionKey='suggestion~s-1',RowKey='s-1')", Uri.UnescapeDataString(others.Single(r => r.Method == "PATCH").Uri));
    }

    [Fact]
    public async Task A_suggestion_recorded_three_times_counts_once_even_all_at_once()
    {
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["vpn", "wifi"], "vpn down", None);
        await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => feedback.RecordSuggestionAsync("s-1", "user-a", ["vpn", "wifi"], "vpn down", None)));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => feedback.RecordSuggestionAsync("s-2", "user-a", ["vpn"], "vpn again", None)));

        Assert.Equal(2, (await feedback.GetAsync("vpn", None)).Shown);
        Assert.Equal(1, (await feedback.GetAsync("wifi", None)).Shown);
    }

    [Fact]
    public async Task Twenty_simultaneous_fixes_on_distinct_suggestions_all_count()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => feedback.RecordSuggestionAsync($"s-{i}", $"user-{i}", ["paper-jam", "printer-offline"], "jam", None)));

        var votes = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => feedback.RecordOutcomeAsync($"s-{i}", $"user-{i}", "paper-jam", None)));

        Assert.All(votes, v => Assert.Equal(VoteOutcome.Counted, v.Outcome));
        Assert.Equal(new ArticleStats("paper-jam", 20, 0, 20), await feedback.GetAsync("paper-jam", None));
        Assert.Equal(new ArticleStats("printer-offline", 20, 0, 0), await feedback.GetAsync("printer-offline", None));
    }

    [Fact]
    public async Task A_replayed_or_double_clicked_vote_counts_once_and_reports_the_first_answer()
    {
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline"], "printer jammed", None);

        // Clicks on both buttons of one card at the same moment: one wins, the others learn what it was.
        var clicks = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            feedback.RecordOutcomeAsync("s-1", "user-a", i % 2 == 0 ? "paper-jam" : "printer-offline", None)));
        var replay = await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", None);

        var winner = Assert.Single(clicks, c => c.Outcome == VoteOutcome.Counted);
        var winningArticle = clicks.ToList().IndexOf(winner) % 2 == 0 ? "paper-jam" : "printer-offline";
        Assert.All(clicks.Where(c => c != winner).Append(replay), c =>
        {
            Assert.Equal(VoteOutcome.AlreadyAnswered, c.Outcome);
            Assert.Equal(winningArticle, c.PreviousAnswer);
            Assert.Equal(["paper-jam", "printer-offline"], c.Offered);
            Assert.Equal("printer jammed", c.Request);
        });
        Assert.Equal(["paper-jam", "printer-offline"], winner.Offered);
        Assert.Null(winner.PreviousAnswer);
        var fixes = (await feedback.GetAsync("paper-jam", None)).Fixed + (await feedback.GetAsync("printer-offline", None)).Fixed;
        Assert.Equal(1, fixes);
        Assert.Equal(1, (await feedback.GetAsync(winningArticle, None)).Fixed);
    }

    [Fact]
    public async Task I_still_need_help_counts_once_for_the_suggestion_and_against_none_of_its_articles()
    {
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline", "duplex"], "printer broken", None);
        await feedback.RecordSuggestionAsync("s-2", "user-b", ["paper-jam"], "jam", None);

        var first = await feedback.RecordOutcomeAsync("s-1", "user-a", null, None);
        var replays = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => feedback.RecordOutcomeAsync("s-1", "user-a", null, None)));
        var fixAfterwards = await feedback.RecordOutcomeAsync("s-1", "user-a", "duplex", None);
        Assert.Equal(1, await feedback.CountStillNeedHelpAsync(None)); // three articles offered, one suggestion answered
        await feedback.RecordOutcomeAsync("s-2", "user-b", null, None);

        Assert.Equal(VoteOutcome.Counted, first.Outcome);
        Assert.All(replays.Append(fixAfterwards), r => Assert.Equal((VoteOutcome.AlreadyAnswered, ""), (r.Outcome, r.PreviousAnswer)));
        Assert.Equal(2, await feedback.CountStillNeedHelpAsync(None));
        Assert.Equal(new ArticleStats("paper-jam", 2, 0, 0), await feedback.GetAsync("paper-jam", None));
        Assert.Equal(new ArticleStats("printer-offline", 1, 0, 0), await feedback.GetAsync("printer-offline", None));
        Assert.Equal(new ArticleStats("duplex", 1, 0, 0), await feedback.GetAsync("duplex", None));
        Assert.Equal(["duplex", "paper-jam", "printer-offline"], (await feedback.GetAllAsync(None)).Select(a => a.ArticleId));
    }

    [Fact]
    public async Task Shown_is_not_read_and_opening_steps_counts_one_read_however_often_pressed()
    {
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline", "duplex"], "printer broken", None);
        Assert.Equal(new ArticleStats("paper-jam", 1, 0, 0), await feedback.GetAsync("paper-jam", None));

        var first = await feedback.RecordReadAsync("s-1", "user-a", "paper-jam", None);
        var presses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => feedback.RecordReadAsync("s-1", "user-a", "paper-jam", None)));
        var otherUser = await feedback.RecordReadAsync("s-1", "user-b", "printer-offline", None);
        var notOffered = await feedback.RecordReadAsync("s-1", "user-a", "vpn", None);
        var forged = await feedback.RecordReadAsync("nope", "user-a", "paper-jam", None);

        Assert.All(presses.Prepend(first), p => Assert.Equal(VoteOutcome.Counted, p.Outcome));
        Assert.Equal((VoteOutcome.NotYours, VoteOutcome.NotOffered, VoteOutcome.NotFound), (otherUser.Outcome, notOffered.Outcome, forged.Outcome));
        Assert.Equal(new ArticleStats("paper-jam", 1, 1, 0), await feedback.GetAsync("paper-jam", None));
        Assert.Equal(new ArticleStats("printer-offline", 1, 0, 0), await feedback.GetAsync("printer-offline", None));
        Assert.DoesNotContain(await feedback.GetAllAsync(None), a => a.ArticleId == "vpn");

        // Once answered, an old copy of the card opens nothing and counts nothing.
        await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", None);
        Assert.Equal(VoteOutcome.AlreadyAnswered, (await feedback.RecordReadAsync("s-1", "user-a", "duplex", None)).Outcome);
        Assert.Equal(new ArticleStats("duplex", 1, 0, 0), await feedback.GetAsync("duplex", None));
        Assert.Equal(new ArticleStats("paper-jam", 1, 1, 1), await feedback.GetAsync("paper-jam", None));
    }

    [Fact]
    public async Task All_totals_list_every_counted_article_and_nothing_else()
    {
        Assert.Empty(await feedback.GetAllAsync(None));
        // Ids that need escaping in table keys (even as their first character) come back as they were.
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "#kb/odd id~1"], "jam", None);
        await feedback.RecordSuggestionAsync("s-2", "user-b", ["paper-jam", "vpn"], "jam", None);
        await feedback.RecordSuggestionAsync("s-3", "user-c", ["vpn"], "vpn", None);
        await feedback.RecordOutcomeAsync("s-1", "user-a", "#kb/odd id~1", None);
        await feedback.RecordOutcomeAsync("s-2", "user-b", null, None);
        await feedback.RecordOutcomeAsync("s-3", "user-x", "vpn", None); // not theirs: not counted

        var all = await feedback.GetAllAsync(None);

        Assert.Equal(
            [new("#kb/odd id~1", 1, 0, 1), new("paper-jam", 2, 0, 0), new("vpn", 2, 0, 0)],
            all.OrderBy(s => s.ArticleId, StringComparer.Ordinal));
        Assert.Equal(all.OrderBy(s => s.ArticleId, StringComparer.Ordinal), await Task.WhenAll(all.Select(s => feedback.GetAsync(s.ArticleId, None))));
    }

    [Fact]
    public async Task A_stored_suggestion_reads_back_with_its_answer()
    {
        Assert.Null(await feedback.GetSuggestionAsync("s-1", None));
        await feedback.RecordSuggestionAsync("s-1", "29:1abc/x", ["vpn", "wifi"], "vpn down", None);
        await feedback.RecordSuggestionAsync("s-2", "29:1abc/x", ["vpn"], "vpn", None);

        var stored = await feedback.GetSuggestionAsync("s-1", None);
        Assert.Equal(("29:1abc/x", "vpn down", (string?)null), (stored!.RequesterId, stored.Request, stored.Outcome));
        Assert.Equal(["vpn", "wifi"], stored.ArticleIds);
        await feedback.RecordOutcomeAsync("s-1", "29:1abc/x", "wifi", None);
        await feedback.RecordOutcomeAsync("s-2", "29:1abc/x", null, None);
        Assert.Equal("wifi", (await feedback.GetSuggestionAsync("s-1", None))!.Outcome);
        Assert.Equal("", (await feedback.GetSuggestionAsync("s-2", None))!.Outcome);
    }

    [Fact]
    public async Task Refused_votes_say_what_was_offered_only_to_the_requester()
    {
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["vpn"], "vpn down", None);

        var notYours = await feedback.RecordOutcomeAsync("s-1", "user-b", "vpn", None);
        var notOffered = await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", None);

        Assert.Equal((VoteOutcome.NotYours, null), (notYours.Outcome, notYours.Request));
        Assert.Empty(notYours.Offered);
        Assert.Equal((VoteOutcome.NotOffered, "vpn down"), (notOffered.Outcome, notOffered.Request));
        Assert.Equal(["vpn"], notOffered.Offered);
        Assert.Equal(new ArticleStats("vpn", 1, 0, 0), await feedback.GetAsync("vpn", None));
    }

    [Fact]
    public async Task A_count_lost_to_a_storage_failure_does_not_fail_the_turn_and_is_counted_on_replay()
    {
        await feedback.RecordSuggestionAsync("warm-up", "user-a", ["other"], "warm up", None);

        // Shown is the suggestion row: once it is written nothing else is, so storage failing after it loses no count.
        traffic.FailInsertsAfter(1);
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline"], "printer jammed", None);
        traffic.FailInsertsAfter(null);
        Assert.Equal((1L, 1L), ((await feedback.GetAsync("paper-jam", None)).Shown, (await feedback.GetAsync("printer-offline", None)).Shown));
        await feedback.RecordSuggestionAsync("s-1", "user-a", ["paper-jam", "printer-offline"], "printer jammed", None); // the replay
        Assert.Equal((1L, 1L), ((await feedback.GetAsync("paper-jam", None)).Shown, (await feedback.GetAsync("printer-offline", None)).Shown));

        // Storage fails after the answer is written: the answer stands, and a replayed click counts it, once.
        traffic.FailInsertsAfter(0);
        var vote = await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", None);
        traffic.FailInsertsAfter(null);
        Assert.Equal(VoteOutcome.Counted, vote.Outcome);
        Assert.Equal("paper-jam", (await feedback.GetSuggestionAsync("s-1", None))!.Outcome);
        Assert.Equal(0, (await feedback.GetAsync("paper-jam", None)).Fixed);
        await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", None);
        await feedback.RecordOutcomeAsync("s-1", "user-a", "paper-jam", None);
        Assert.Equal(new ArticleStats("paper-jam", 1, 0, 1), await feedback.GetAsync("paper-jam", None));
    }
}

// Sees every request the store makes, and can make inserts fail as if storage went away.
sealed class TableTraffic : HttpPipelinePolicy
{
    readonly List<(string Method, string Uri)> requests = [];
    int? insertsAllowed;

    public IReadOnlyList<(string Method, string Uri)> Requests { get { lock (requests) return [.. requests]; } }

    public void Clear() { lock (requests) requests.Clear(); }

    // Allow this many more entity inserts, then fail every one; null stops failing.
    public void FailInsertsAfter(int? allowed) { lock (requests) insertsAllowed = allowed; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
        ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        var method = message.Request.Method.Method;
        var uri = message.Request.Uri.ToString();
        // Creating the table is the client's business, not the store's traffic.
        if (!uri.Contains("/Tables", StringComparison.Ordinal))
            lock (requests)
            {
                requests.Add((method, uri));
                if (method == "POST" && insertsAllowed is { } allowed)
                {
                    if (allowed <= 0) throw new RequestFailedException(503, "Injected storage failure");
                    insertsAllowed = allowed - 1;
                }
            }
        await ProcessNextAsync(message, pipeline);
    }
}
