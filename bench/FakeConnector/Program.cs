using System.Globalization;
using SupportBot.FakeConnector;

// dotnet run --project bench/FakeConnector -c Release -- [--port N] [--share-429 0.1] [--share-503 0.05]
//   [--retry-after 1] [--delay-ms 0] [--record] [--record-file calls.jsonl] [--port-file path]
var options = new FakeConnectorOptions();
string? portFile = null;
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--port-file")
    {
        portFile = i + 1 < args.Length ? args[++i] : throw new ArgumentException("--port-file needs a value");
        continue;
    }
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--port" => options with { Port = (int)Number() },
        "--share-429" => options with { Share429 = Number() },
        "--share-503" => options with { Share503 = Number() },
        "--retry-after" => options with { RetryAfter = TimeSpan.FromSeconds(Number()) },
        "--delay-ms" => options with { Delay = TimeSpan.FromMilliseconds(Number()) },
        "--record" => options with { Record = true },
        "--record-file" => options with { Record = true, RecordFile = Next() },
        _ => throw new ArgumentException($"unknown option {args[i]}"),
    };
}
if (options.Share429 is < 0 or > 1 || options.Share503 is < 0 or > 1 || options.Share429 + options.Share503 > 1)
    throw new ArgumentException("--share-429 and --share-503 are fractions that add up to at most 1");

var app = FakeConnectorServer.Create(options);
await app.StartAsync();
var url = app.BaseUrl();
if (portFile is not null)
    await File.WriteAllTextAsync(portFile, new Uri(url).Port.ToString(CultureInfo.InvariantCulture));
Console.WriteLine($"FakeConnector listening on {url} (serviceUrl); counts at {url}_fake/counts");
await app.WaitForShutdownAsync();
