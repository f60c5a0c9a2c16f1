namespace SupportBot.Proactive;

// At most Count sends in any Period.
public sealed record RateWindow(int Count, TimeSpan Period)
{
    public RateWindow() : this(1, TimeSpan.FromSeconds(1)) { }
}

public sealed class OutboxOptions
{
    // How often a drainer looks for conversations with work (an enqueue on this instance wakes it at once).
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    // A crashed instance's conversations are taken over after this; a live one renews at half-time.
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);
    public int MaxConcurrentConversations { get; set; } = 32;
    public int BatchSize { get; set; } = 50;
    // Teams: per bot per conversation about 7/s, 8 per 2 s, 60 per 30 s, 1,800 per hour. Null: those.
    public RateWindow[]? ConversationLimits { get; set; }
    // The bot's own cap across conversations (Teams' per-app limit is 30-50 per second per tenant). Null: 30/s.
    public RateWindow[]? GlobalLimits { get; set; }
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);
    // A message still undelivered after this is dropped (logged): a day-old "Sam is on it" helps no one.
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);
    // The backstop for an enqueue that crashed between its message and its ready marker: a rare full scan.
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);
    // How long an outcome (and its posted message id) is kept; the same dedupe key enqueued after that is a new message.
    public TimeSpan KeepOutcomesFor { get; set; } = TimeSpan.FromDays(7);

    internal RateWindow[] ResolvedConversationLimits => ConversationLimits is { Length: > 0 } l ? l :
        [new(7, TimeSpan.FromSeconds(1)), new(8, TimeSpan.FromSeconds(2)), new(60, TimeSpan.FromSeconds(30)), new(1800, TimeSpan.FromHours(1))];

    internal RateWindow[] ResolvedGlobalLimits => GlobalLimits is { Length: > 0 } l ? l : [new(30, TimeSpan.FromSeconds(1))];
}

public static class OutboxServiceCollectionExtensions
{
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>()
            .Bind(configuration.GetSection("Outbox"))
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.LeaseDuration > TimeSpan.FromSeconds(1) && o.MaxConcurrentConversations > 0
                && o.BatchSize is > 0 and <= 1000 && o.RetryBaseDelay > TimeSpan.Zero && o.RetryMaxDelay >= o.RetryBaseDelay
                && o.ResolvedConversationLimits.Concat(o.ResolvedGlobalLimits).All(w => w.Count > 0 && w.Period > TimeSpan.Zero),
                "Outbox: intervals, limits and sizes must be positive (BatchSize at most 1000, LeaseDuration over 1 s).")
            .ValidateOnStart();
        services.AddSingleton<Outbox>();
        services.AddHostedService<OutboxDrainer>();
        return services;
    }
}

// Sliding windows over the times of recent sends. Rate state is only pacing: losing it on a restart costs at most a 429.
sealed class SlidingWindowLimiter(RateWindow[] windows, TimeProvider clock)
{
    // The send times no window can do without, oldest first, in a ring: at most the largest window's count, and none
    // older than the longest period (it can no longer hold a send back). Was a linked list kept at the largest count
    // (1,800, Teams' hourly limit) whatever its age, read by copying it out backwards for every window of every send.
    DateTimeOffset[] ring = new DateTimeOffset[8];
    int first, count;
    readonly int keep = windows.Max(w => w.Count);
    readonly TimeSpan longest = windows.Max(w => w.Period);
    readonly SemaphoreSlim gate = new(1, 1);

    public DateTimeOffset LastUsed { get; private set; } = DateTimeOffset.MinValue;

    public bool Idle => clock.GetUtcNow() - LastUsed > longest;

    // How many send times it holds (tests).
    internal int Remembered
    {
        get
        {
            gate.Wait();
            try { return count; }
            finally { gate.Release(); }
        }
    }

    // Waits until one more send fits every window; reserve: count it now (otherwise call Record when it completes).
    public async Task WaitAsync(bool reserve, CancellationToken ct)
    {
        await gate.WaitAsync(ct);
        try
        {
            while (true)
            {
                var now = clock.GetUtcNow();
                Forget(now);
                var allowedAt = now;
                foreach (var window in windows)
                {
                    if (count < window.Count) continue;
                    var nth = Recent(window.Count);
                    if (nth + window.Period > allowedAt) allowedAt = nth + window.Period;
                }
                if (allowedAt <= now)
                {
                    if (reserve) Add(now);
                    return;
                }
                await Task.Delay(allowedAt - now, clock, ct);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    public void Record()
    {
        gate.Wait();
        try { Add(clock.GetUtcNow()); }
        finally { gate.Release(); }
    }

    // The n-th most recent send time (1: the latest).
    DateTimeOffset Recent(int n) => ring[(first + count - n) % ring.Length];

    void Forget(DateTimeOffset now)
    {
        while (count > 0 && now - ring[first] >= longest)
        {
            first = (first + 1) % ring.Length;
            count--;
        }
    }

    void Add(DateTimeOffset at)
    {
        Forget(at);
        if (count == keep)
        {
            first = (first + 1) % ring.Length;
            count--;
        }
        if (count == ring.Length)
        {
            var larger = new DateTimeOffset[Math.Min(ring.Length * 2, Math.Max(keep, ring.Length))];
            for (var i = 0; i < count; i++) larger[i] = ring[(first + i) % ring.Length];
            ring = larger;
            first = 0;
        }
        ring[(first + count) % ring.Length] = at;
        count++;
        LastUsed = at;
    }
}
