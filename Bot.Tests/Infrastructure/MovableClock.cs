namespace SupportBot.Tests.Infrastructure;

// Real time plus an offset a test can move forward; timers still run on real time.
public sealed class MovableClock : TimeProvider
{
    long offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
