using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Moq;
using SupportBot.Escalation;
using SupportBot.Proactive;
using SupportBot.Technicians;
using SupportBot.Tickets;

namespace SupportBot.Tests.Escalation;

// The watch's own loop on a FakeTimeProvider, with the ticket store as a unit seam that fails like storage does.
public sealed class SlaWatchOutageTests
{
    [Fact]
    public async Task Storage_down_is_logged_once_and_the_watch_keeps_checking_until_it_is_back()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
        var calls = 0;
        var store = new Mock<ITicketStore>();
        store.Setup(s => s.ListOpenAsync(It.IsAny<CancellationToken>())).Returns(() =>
            Interlocked.Increment(ref calls) <= 3
                ? Task.FromException<IReadOnlyList<TicketSummary>>(new RequestFailedException(503, "Service unavailable"))
                : Task.FromResult<IReadOnlyList<TicketSummary>>([]));
        var log = new ListLogger();
        var watch = CreateWatch(store.Object, clock, log);

        await watch.StartAsync(CancellationToken.None);
        try
        {
            await AdvanceUntil(clock, () => Volatile.Read(ref calls) >= 6 && log.Entries.Any(e => e.Level == LogLevel.Information));
        }
        finally
        {
            await watch.StopAsync(CancellationToken.None);
        }

        Assert.Single(log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("SLA watch: the check failed (RequestFailedException)", log.Entries.Single(e => e.Level == LogLevel.Warning).Message);
        Assert.Single(log.Entries, e => e.Message.Contains("reachable again"));
    }

    // Each minute of fake time lets the watch's delay end; real time lets its check run.
    static async Task AdvanceUntil(FakeTimeProvider clock, Func<bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (!done())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException("not reached within 20 s");
            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(20);
        }
    }

    // Only the store is reached while the queue is empty; the rest is the real wiring, never called.
    static SlaWatch CreateWatch(ITicketStore store, TimeProvider clock, ILogger<SlaWatch> log)
    {
        var hours = new SupportHours(new SupportOptions());
        var tables = new TableServiceClient("UseDevelopmentStorage=true");
        var technicianOptions = Options.Create(new TechnicianOptions());
        var directory = new TechnicianDirectory(technicianOptions, new TechnicianChannel(tables, technicianOptions, TimeProvider.System), null!,
            new OnCallRota(technicianOptions, Options.Create(new OnCallRotaOptions()), Options.Create(new SupportOptions())), clock, NullLogger<TechnicianDirectory>.Instance);
        return new SlaWatch(store, new Sla(hours), hours, new SlaAlertLog(tables, clock), new Outbox(tables, clock, NullLogger<Outbox>.Instance),
            directory, technicianDesk: null!, requesterUpdates: null!, Options.Create(new SlaWatchOptions()), clock, log);
    }

    sealed class ListLogger : ILogger<SlaWatch>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
