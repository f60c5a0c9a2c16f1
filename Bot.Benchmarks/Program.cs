using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

// dotnet run -c Release --project Bot.Benchmarks -- --filter '*'   (BenchmarkDotNet's own switches work too)
// dotnet run -c Release --project Bot.Benchmarks -- dashboard-first-paint [--tickets 10000] [--runs 10]
if (args.Length > 0 && args[0] == "dashboard-first-paint")
    return await SupportBot.Benchmarks.DashboardFirstPaint.RunAsync(args);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(SupportBot.Benchmarks.TriageOneMessage).Assembly).Run(args);
foreach (var summary in summaries)
    foreach (var report in summary.Reports)
        PrintPercentiles(report);
return 0;

static void PrintPercentiles(BenchmarkReport report)
{
    var perOp = report.AllMeasurements
        .Where(m => m.Is(IterationMode.Workload, IterationStage.Actual))
        .Select(m => m.Nanoseconds / m.Operations)
        .Order()
        .ToArray();
    if (perOp.Length == 0) return;
    double P(double q) => perOp[Math.Min(perOp.Length - 1, (int)Math.Ceiling(q * perOp.Length) - 1)];
    Console.WriteLine($"{report.BenchmarkCase.DisplayInfo}: n={perOp.Length} p50={P(0.50) / 1e6:0.000} ms p99={P(0.99) / 1e6:0.000} ms max={perOp[^1] / 1e6:0.000} ms");
}
