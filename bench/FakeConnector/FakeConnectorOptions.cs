namespace SupportBot.FakeConnector;

// Shares are fractions of the Connector calls (POST/PUT under /v3/conversations) answered with a fault instead:
// 0.1 = every tenth call, spread evenly (deterministic, not random), so a test can count what to expect.
public sealed record FakeConnectorOptions
{
    public int Port { get; init; }
    public double Share429 { get; init; }
    public double Share503 { get; init; }
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);
    // Latency added to every Connector call, as a slow real Connector would.
    public TimeSpan Delay { get; init; }
    // Keep every call (method, route, ids, status, body) in memory for GET /_fake/records.
    public bool Record { get; init; }
    // Also append each record as one JSON line to this file.
    public string? RecordFile { get; init; }
}
