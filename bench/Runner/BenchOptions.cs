using System.Globalization;

namespace SupportBot.Bench;

public sealed record BenchOptions
{
    public bool Smoke { get; init; }
    public bool Echo { get; init; } = true;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(3);
    public int Runs { get; init; } = 3;
    public int[] Connections { get; init; } = [1, 64];
    public Mix[] Mixes { get; init; } = [Mix.A, Mix.B, Mix.C, Mix.D];
    public int Conversations { get; init; } = 100;
    // Extra environment for the bot (--bot-env DOTNET_gcServer=0), to compare settings.
    public Dictionary<string, string> BotEnvironment { get; init; } = [];
    // Where SupportBot.dll is: the build output by default, or a published folder (--bot-dir).
    public string? BotDirectory { get; init; }

    // --smoke: our bot only, mix d, 8 connections, one 5-second run over 10 conversations; fails unless replies == requests.
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--smoke" => o with { Smoke = true, Echo = false, Duration = TimeSpan.FromSeconds(5), WarmUp = TimeSpan.FromSeconds(1), Runs = 1, Connections = [8], Mixes = [Mix.D], Conversations = 10 },
                "--no-echo" => o with { Echo = false },
                "--duration" => o with { Duration = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--warm-up" => o with { WarmUp = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) },
                "--runs" => o with { Runs = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--connections" => o with { Connections = Next().Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray() },
                "--mixes" => o with { Mixes = Next().Split(',').Select(m => Enum.Parse<Mix>(m, ignoreCase: true)).ToArray() },
                "--bot-dir" => o with { BotDirectory = Path.GetFullPath(Next()) },
                "--conversations" => o with { Conversations = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--bot-env" => o with { BotEnvironment = new(o.BotEnvironment) { [Next().Split('=')[0]] = args[i].Split('=', 2)[1] } },
                _ => throw new ArgumentException($"unknown option {args[i]}; see bench/README.md"),
            };
        }
        return o;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SupportBot.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("run from inside the repository");
    }
}

public sealed record Row(
    string Bot, Mix Mix, int Connections, int Run, double PerSecond, double P50, double P90, double P99, double Max,
    double CpuMsPerRequest, double AzuriteCpuMsPerRequest, double AzuriteCpuPercent, double RssMb, long Errors, bool RepliesMatch,
    double? StorageCallsPerTurn, double StorageCallsPerSecond, long OutboxCalls, long Requests, string LoadAverage, string Check)
{
    public string Line() =>
        $"  {Bot,-10} mix {Mix,-4} x{Connections,-3} run {Run}: {PerSecond,7:0} req/s  p50 {P50,6:0.0}  p90 {P90,6:0.0}  p99 {P99,6:0.0} ms  " +
        $"cpu {CpuMsPerRequest,5:0.00} ms/req  rss {RssMb,4:0} MB  errors {Errors}  " +
        (StorageCallsPerTurn is { } s ? $"storage {s:0.0}/turn ({StorageCallsPerSecond:0}/s, azurite cpu {AzuriteCpuPercent:0}%)  " : "") +
        $"outbox calls {OutboxCalls}  load {LoadAverage}  {(RepliesMatch ? "ok" : "FAIL")}: {Check}";
}
