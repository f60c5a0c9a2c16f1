using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SupportBot.Bench;
using SupportBot.FakeConnector;

// bench/run.sh runs this. See docs/performance.md ("Turns over HTTP") for what it measures and how.
var options = BenchOptions.Parse(args);
var repo = BenchOptions.RepoRoot();
var outDir = Path.Combine(repo, "artifacts", "bench");
Directory.CreateDirectory(outDir);

var fake = FakeConnectorServer.Create(new FakeConnectorOptions());
await fake.StartAsync();
var ledger = fake.Ledger();
var serviceUrl = fake.BaseUrl();
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
var rows = new List<Row>();
var colds = new List<(string Bot, double Ms)>();
var ceiling = (CallsPerSecond: 0.0, CpuPercent: 0.0);
Console.WriteLine($"bench: {(options.Smoke ? "smoke" : "full")} run, {options.Duration.TotalSeconds:0} s per measurement, connections {string.Join("/", options.Connections)}, " +
                  $"{options.Runs} run(s), mixes {string.Join(",", options.Mixes)}{(options.Echo ? " + echo bot" : "")}; load average {Child.LoadAverage()}");

if (options.Echo)
{
    var port = Child.FreePort();
    var messages = new Uri($"http://127.0.0.1:{port}/api/messages");
    var (echo, cold) = await StartAndAnswerAsync("echo", () => Child.Start("node", ["index.js"], Path.Combine(repo, "bench", "echo-bot"),
        Path.Combine(outDir, "echo-bot.log"), new Dictionary<string, string> { ["PORT"] = port.ToString(CultureInfo.InvariantCulture) }), messages);
    await using (echo)
    {
        colds.Add(("echo bot", cold));
        await WarmUpAsync(echo, messages, Mix.Echo, null);
        foreach (var connections in options.Connections)
            for (var run = 1; run <= options.Runs; run++)
                rows.Add(await MeasureAsync("echo bot", echo, null, messages, Mix.Echo, connections, run, null, null));
    }
}

foreach (var mix in options.Mixes)
{
    // A fresh Azurite and bot per mix, so one mix's outbox backlog (technicians' channel posts, paced at Teams' limits)
    // does not run on into the next mix's figures.
    var azuritePort = Child.FreePort();
    await using var azurite = Child.Start(Path.Combine(repo, "node_modules", ".bin", "azurite-table"),
        ["--tableHost", "127.0.0.1", "--tablePort", azuritePort.ToString(CultureInfo.InvariantCulture), "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck"],
        repo, Path.Combine(outDir, $"azurite-{mix}.log"));
    await WaitForPortAsync(azuritePort);
    var tables = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:{azuritePort}/devstoreaccount1;";
    var botPort = Child.FreePort();
    var messages = new Uri($"http://127.0.0.1:{botPort}/api/messages");
    var env = new Dictionary<string, string>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Development", // anonymous mode: no app id, loopback only
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{botPort}",
        ["ConnectionStrings__Tables"] = tables,
        ["Logging__Console__FormatterName"] = "json", // what production logs with
        // Hundreds of alike emergencies a second would (rightly) become one major incident; the bench measures single tickets.
        ["Support__MajorIncident__Enabled"] = "false",
        // The GC setting infra/main.bicep gives the App Service instance.
        ["DOTNET_GCgen0size"] = "0x400000",
    };
    foreach (var (k, v) in options.BotEnvironment) env[k] = v;
    var botDir = options.BotDirectory ?? Path.Combine(repo, "Bot", "bin", "Release", "net10.0");
    var (bot, cold) = await StartAndAnswerAsync("SupportBot", () => Child.Start("dotnet", ["SupportBot.dll"], botDir, Path.Combine(outDir, $"supportbot-{mix}.log"), env), messages);
    await using (bot)
    {
        colds.Add(("SupportBot", cold));
        var cards = mix is Mix.C or Mix.D ? await SetUpTicketsAsync(messages) : null;
        await WarmUpAsync(bot, messages, mix, cards);
        foreach (var connections in options.Connections)
            for (var run = 1; run <= options.Runs; run++)
                rows.Add(await MeasureAsync("SupportBot", bot, azurite, messages, mix, connections, run, cards, () => StorageCallsByOperationAsync(botPort)));
        if (mix == Mix.A && !options.Smoke)
            ceiling = await AzuriteCeiling.MeasureAsync(tables, azurite, options.Duration);
    }
}
await fake.StopAsync();

var report = Report.Print(rows, colds, ceiling, options);
await File.WriteAllTextAsync(Path.Combine(outDir, "results.json"), JsonSerializer.Serialize(new { rows, colds = colds.Select(c => new { c.Bot, c.Ms }), ceiling.CallsPerSecond, ceiling.CpuPercent }, new JsonSerializerOptions { WriteIndented = true, IncludeFields = true }));
await File.WriteAllTextAsync(Path.Combine(outDir, "table.md"), report);
var failed = rows.Where(r => !r.RepliesMatch || r.Errors > 0).ToList();
foreach (var f in failed)
    Console.Error.WriteLine($"FAILED: {f.Bot} mix {f.Mix} x{f.Connections} run {f.Run}: {f.Check}");
return failed.Count == 0 ? 0 : 1;

async Task<(Child, double)> StartAndAnswerAsync(string name, Func<Child> start, Uri messages)
{
    ledger.Reset();
    var clock = Stopwatch.StartNew();
    var child = start();
    try
    {
        return (child, await FirstAnswerAsync(name, child, messages, clock));
    }
    catch
    {
        await child.DisposeAsync(); // never leave a bot running after a failed start
        throw;
    }
}

async Task<double> FirstAnswerAsync(string name, Child child, Uri messages, Stopwatch clock)
{
    var activities = new Activities(serviceUrl, "cold-" + Guid.NewGuid().ToString("N")[..8], 1, null);
    var body = activities.Message("cold-start", 0, Activities.Requests[0]);
    while (true)
    {
        if (child.HasExited) throw new InvalidOperationException($"{name} exited during start-up; see artifacts/bench/");
        if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{name} did not answer within 60 s");
        try
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new("application/json");
            using var response = await http.PostAsync(messages, content);
            if (response.IsSuccessStatusCode) break;
        }
        catch (HttpRequestException)
        {
        }
        await Task.Delay(10);
    }
    while (ledger.Snapshot().Replies < 1)
    {
        if (clock.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"{name} accepted the first activity but never replied");
        await Task.Delay(2);
    }
    var ms = clock.Elapsed.TotalMilliseconds;
    Console.WriteLine($"{name}: first activity answered {ms:0} ms after start");
    return ms;
}

async Task<Dictionary<int, TicketCard>> SetUpTicketsAsync(Uri messages)
{
    // One emergency ticket per conversation, filed one at a time so conversation k's ticket is the k-th; the card
    // the requester got is what their "Add details" presses answer.
    await QuiesceAsync();
    ledger.Reset();
    ledger.Options = ledger.Options with { Record = true };
    var activities = new Activities(serviceUrl, "setup", options.Conversations, null);
    for (var k = 0; k < options.Conversations; k++)
    {
        using var content = new ByteArrayContent(activities.Message($"setup-{k}", k, Activities.Emergencies[k % Activities.Emergencies.Length]));
        content.Headers.ContentType = new("application/json");
        using var response = await http.PostAsync(messages, content);
        response.EnsureSuccessStatusCode();
    }
    var cards = new Dictionary<int, TicketCard>();
    foreach (var record in ledger.Records(0).Where(r => r.Kind == CallKind.Reply && r.ActivityId?.StartsWith("setup-", StringComparison.Ordinal) == true))
    {
        var k = int.Parse(record.ActivityId!["setup-".Length..], CultureInfo.InvariantCulture);
        var number = Regex.Match(record.Body?.GetRawText() ?? "", @"Ticket #(\d+)");
        if (number.Success) cards[k] = new TicketCard(int.Parse(number.Groups[1].Value, CultureInfo.InvariantCulture), record.ReturnedId!);
    }
    ledger.Options = ledger.Options with { Record = false };
    if (cards.Count != options.Conversations)
        throw new InvalidOperationException($"setup filed {cards.Count} of {options.Conversations} tickets; see artifacts/bench/");
    // Their cards for the technicians' channel leave through the outbox, paced at Teams' per-conversation limit: let them go.
    await WaitForAsync(() => ledger.Snapshot().Sends + ledger.Snapshot().CreateConversations >= options.Conversations, TimeSpan.FromSeconds(60));
    return cards;
}

async Task WarmUpAsync(Child bot, Uri messages, Mix mix, Dictionary<int, TicketCard>? cards)
{
    var activities = new Activities(serviceUrl, "warm-" + Guid.NewGuid().ToString("N")[..8], options.Conversations, cards);
    await LoadGenerator.RunAsync(messages, Math.Min(16, options.Connections.Max()), options.WarmUp, g => activities.Next(mix, g));
}

async Task<Row> MeasureAsync(string name, Child bot, Child? azurite, Uri messages, Mix mix, int connections, int run,
    Dictionary<int, TicketCard>? cards, Func<Task<Dictionary<string, long>>>? storageCalls)
{
    await QuiesceAsync();
    ledger.Reset();
    var load0 = Child.LoadAverage();
    var cpu0 = bot.CpuMs();
    var azurite0 = azurite?.CpuMs() ?? 0;
    var storage0 = storageCalls is null ? [] : await storageCalls();
    var activities = new Activities(serviceUrl, $"{mix}-{connections}-{run}-{Guid.NewGuid().ToString("N")[..8]}", options.Conversations, cards);
    var load = await LoadGenerator.RunAsync(messages, connections, options.Duration, g => activities.Next(mix, g));
    await WaitForAsync(() => ledger.Snapshot().Replies >= load.Messages, TimeSpan.FromSeconds(15));
    await Task.Delay(200); // a reply beyond the expected one would arrive now
    var counts = ledger.Snapshot();
    var cpu = bot.CpuMs() - cpu0;
    var azuriteCpu = (azurite?.CpuMs() ?? 0) - azurite0;
    var storageByOperation = (storageCalls is null ? [] : await storageCalls())
        .Select(entry => (entry.Key, Calls: entry.Value - storage0.GetValueOrDefault(entry.Key)))
        .Where(entry => entry.Calls > 0).OrderByDescending(entry => entry.Calls).ToList();
    var storage = storageByOperation.Sum(entry => entry.Calls);
    var histogram = ledger.RepliesPerActivity();
    var repliesMatch = counts.Replies == load.Messages && counts.RepliedActivities == load.Messages && load.InvokeCards == load.Invokes;
    var check = repliesMatch
        ? $"{counts.Replies} replies to {load.Messages} messages, {load.InvokeCards} cards for {load.Invokes} card actions"
        : $"MISMATCH: {counts.Replies} replies to {counts.RepliedActivities} distinct activities for {load.Messages} messages " +
          $"(replies per activity {string.Join(",", histogram.Select(h => $"{h.Key}:{h.Value}"))}), {load.InvokeCards} cards for {load.Invokes} card actions";
    var row = new Row(name, mix, connections, run, load.PerSecond, load.P50Ms, load.P90Ms, load.P99Ms, load.MaxMs,
        cpu / load.Requests, azuriteCpu / load.Requests, azuriteCpu / load.Elapsed.TotalMilliseconds * 100, bot.RssMb(), load.Errors, repliesMatch,
        storageCalls is null ? null : (double)storage / load.Requests, storage / load.Elapsed.TotalSeconds,
        counts.Sends + counts.Updates + counts.CreateConversations, load.Requests, load0, check + (load.FirstError is null ? "" : "; first error: " + load.FirstError));
    Console.WriteLine(row.Line());
    if (storageByOperation.Count > 0)
        Console.WriteLine("  storage calls per turn: " + string.Join(", ",
            storageByOperation.Select(entry => $"{entry.Key} {((double)entry.Calls / load.Requests).ToString("0.00", CultureInfo.InvariantCulture)}")));
    return row;
}

async Task QuiesceAsync()
{
    // Wait until the Connector sees no replies for 200 ms (the outbox may still trickle; its calls are not replies).
    var last = -1L;
    var until = DateTime.UtcNow.AddSeconds(5);
    while (DateTime.UtcNow < until)
    {
        var now = ledger.Snapshot().Replies;
        if (now == last) return;
        last = now;
        await Task.Delay(200);
    }
}

static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout)
{
    var until = DateTime.UtcNow + timeout;
    while (!condition() && DateTime.UtcNow < until)
        await Task.Delay(5);
}

async Task<Dictionary<string, long>> StorageCallsByOperationAsync(int port) =>
    (await http.GetStringAsync($"http://127.0.0.1:{port}/_dev/storage-requests/by-operation"))
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split('\t'))
        .ToDictionary(parts => parts[0], parts => long.Parse(parts[1], CultureInfo.InvariantCulture));

static async Task WaitForPortAsync(int port)
{
    for (var i = 0; i < 500; i++)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            return;
        }
        catch (System.Net.Sockets.SocketException)
        {
            await Task.Delay(20);
        }
    }
    throw new TimeoutException($"nothing listens on {port}");
}
