using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using SupportBot.Triage;

namespace SupportBot.Benchmarks;

// One message at a time after warm-up, cycling through the held-out messages; one invocation per
// measurement so the summary's percentiles are per message.
[GcServer(false), GcConcurrent(true)] // as the bot runs it (Bot.csproj)
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 20, iterationCount: 2000, invocationCount: 1)]
public class TriageOneMessage
{
    Triager triager = null!;
    string[] messages = [];
    int next;

    [GlobalSetup]
    public void Setup()
    {
        triager = TriageService.Create();
        messages = TriageDataset.HeldOut().Select(m => m.Text).ToArray();
    }

    [Benchmark]
    public TriageResult Triage() => triager.Triage(messages[next++ % messages.Length]);
}

// What the bot pays at start-up: loading the committed model (a fresh process each time).
[SimpleJob(RunStrategy.ColdStart, launchCount: 5, warmupCount: 0, iterationCount: 1)]
public class TriageModelLoad
{
    [Benchmark]
    public Triager Load() => TriageService.Create();
}
