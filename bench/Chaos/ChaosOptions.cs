using System.Globalization;

namespace SupportBot.Chaos;

// Every run is bounded: users and episodes (or minutes), a hard time limit, a fuzz count. Everything on 127.0.0.1.
public sealed record ChaosOptions
{
    public required string Mode { get; init; }
    public int Users { get; init; } = 50;
    // Short mode: each user plays this many episodes. Soak: users keep playing until Minutes have passed.
    public int Episodes { get; init; } = 2;
    public double Minutes { get; init; }
    public int Instances { get; init; } = 2;
    public double Redeliver { get; init; } = 0.1;
    public double Share429 { get; init; } = 0.1;
    public double Share503 { get; init; }
    public int AzuriteRestarts { get; init; } = 1;
    public int BotKills { get; init; }
    public int Fuzz { get; init; } = 2000;
    public TimeSpan HardLimit { get; init; } = TimeSpan.FromMinutes(4);
    // Soak: how long each user waits between episodes (a random time in the range).
    public double PauseMinSeconds { get; init; } = 2;
    public double PauseMaxSeconds { get; init; } = 15;
    public int Seed { get; init; } = 12;
    public string? ReportFile { get; init; }
    public bool ChaosDuringTraffic { get; init; }

    public const string Usage = """
        usage: Chaos short | soak [options]
          short   50 users x 2 episodes, 2 instances, 10% redelivered, 10% 429, 1 Azurite restart, 2,000 fuzzed activities (2-3 min)
          soak    200 users for --minutes 30, 20% 429 and 5% 503, 5 Azurite restarts, a bot process killed mid-turn, 10,000 fuzzed
          --users N  --episodes N  --minutes M  --instances 1|2  --redeliver S  --share-429 S  --share-503 S
          --azurite-restarts N  --bot-kills N  --fuzz N  --limit-minutes M  --seed N  --report file.json
          --pause-seconds A-B   (soak: each user waits A to B seconds between episodes; default 2-15)
          --chaos-during-traffic true   (short mode: the Azurite restart in the middle of the traffic instead of right after it)
        """;

    static double? Seconds(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 ? seconds : null;

    public static ChaosOptions? Parse(string[] args)
    {
        if (args.Length == 0) return null;
        var o = args[0] switch
        {
            "short" => new ChaosOptions { Mode = "short" },
            "soak" => new ChaosOptions
            {
                Mode = "soak", Users = 200, Minutes = 30, Share429 = 0.2, Share503 = 0.05, AzuriteRestarts = 5, BotKills = 1, Fuzz = 10_000,
                HardLimit = TimeSpan.FromMinutes(45),
            },
            _ => null,
        };
        if (o is null) return null;
        for (var i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) return null;
            var v = args[i + 1];
            double D() => double.Parse(v, CultureInfo.InvariantCulture);
            int N() => int.Parse(v, CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--users" => o with { Users = N() },
                "--episodes" => o with { Episodes = N() },
                "--minutes" => o with { Minutes = D(), HardLimit = TimeSpan.FromMinutes(D() + 15) },
                "--instances" => o with { Instances = Math.Clamp(N(), 1, 2) },
                "--redeliver" => o with { Redeliver = D() },
                "--share-429" => o with { Share429 = D() },
                "--share-503" => o with { Share503 = D() },
                "--azurite-restarts" => o with { AzuriteRestarts = N() },
                "--bot-kills" => o with { BotKills = N() },
                "--fuzz" => o with { Fuzz = N() },
                "--limit-minutes" => o with { HardLimit = TimeSpan.FromMinutes(D()) },
                "--seed" => o with { Seed = N() },
                "--report" => o with { ReportFile = v },
                "--chaos-during-traffic" => o with { ChaosDuringTraffic = v == "true" },
                "--pause-seconds" => v.Split('-') is [var a, var b] && Seconds(a) is { } min && Seconds(b) is { } max && max > min
                    ? o with { PauseMinSeconds = min, PauseMaxSeconds = max }
                    : null,
                _ => null,
            };
            if (o is null) return null;
        }
        return o;
    }
}
