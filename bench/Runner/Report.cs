using System.Globalization;
using System.Text;

namespace SupportBot.Bench;

// One table: the median of the runs per bot, mix and connection count (req/s of each run listed), and the ratio of
// SupportBot's median req/s to the echo bot's at the same connection count.
public static class Report
{
    public static string Print(List<Row> rows, List<(string Bot, double Ms)> colds, (double CallsPerSecond, double CpuPercent) ceiling, BenchOptions options)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {options.Duration.TotalSeconds:0} s per run, median of {options.Runs} run(s)");
        text.AppendLine();
        text.AppendLine("| bot | mix | conns | req/s (runs) | p50 ms | p90 ms | p99 ms | CPU ms/req | RSS MB after | errors | replies == requests | storage calls/turn | Azurite CPU | ratio to echo | load avg |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var echo = rows.Where(r => r.Mix == Mix.Echo).GroupBy(r => r.Connections).ToDictionary(g => g.Key, g => Median(g.Select(r => r.PerSecond)));
        foreach (var group in rows.GroupBy(r => (r.Bot, r.Mix, r.Connections)))
        {
            var runs = group.ToList();
            var perSecond = Median(runs.Select(r => r.PerSecond));
            var ratio = group.Key.Mix != Mix.Echo && echo.TryGetValue(group.Key.Connections, out var e) && e > 0 ? $"{perSecond / e:0.0}x" : "";
            var storage = runs[0].StorageCallsPerTurn is null ? "" : $"{Median(runs.Select(r => r.StorageCallsPerTurn ?? 0)):0.0}";
            var azurite = runs[0].StorageCallsPerTurn is null ? "" : $"{Median(runs.Select(r => r.AzuriteCpuPercent)):0}%";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {group.Key.Bot} | {Name(group.Key.Mix)} | {group.Key.Connections} | {perSecond:0} ({string.Join(" / ", runs.Select(r => r.PerSecond.ToString("0", CultureInfo.InvariantCulture)))}) " +
                $"| {Median(runs.Select(r => r.P50)):0.0} | {Median(runs.Select(r => r.P90)):0.0} | {Median(runs.Select(r => r.P99)):0.0} " +
                $"| {Median(runs.Select(r => r.CpuMsPerRequest)):0.00} | {runs.Max(r => r.RssMb):0} | {runs.Sum(r => r.Errors)} " +
                $"| {(runs.All(r => r.RepliesMatch) ? "yes" : "NO")} ({runs.Sum(r => r.Requests)}) | {storage} | {azurite} | {ratio} | {string.Join(" / ", runs.Select(r => r.LoadAverage))} |");
        }
        text.AppendLine();
        foreach (var bot in colds.GroupBy(c => c.Bot))
            text.AppendLine(CultureInfo.InvariantCulture, $"Cold start to first answered activity, {bot.Key}: {string.Join(", ", bot.Select(c => $"{c.Ms:0} ms"))}");
        if (ceiling.CallsPerSecond > 0)
            text.AppendLine(CultureInfo.InvariantCulture, $"Azurite alone (64 concurrent upserts/point reads, no bot): {ceiling.CallsPerSecond:0} calls/s at {ceiling.CpuPercent:0}% of a core");
        Console.WriteLine();
        Console.Write(text);
        return text.ToString();
    }

    static string Name(Mix mix) => mix switch
    {
        Mix.A => "a emergency ticket",
        Mix.B => "b suggestions",
        Mix.C => "c card action",
        Mix.D => "d 70/20/10",
        _ => "echo",
    };

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
