using SupportBot.FakeConnector;

namespace SupportBot.Tests.Bench;

// The fake Connector's fault picker (bench/FakeConnector), which the chaos runs rely on for their 429 and 503 shares.
public sealed class ConnectorLedgerTests
{
    static (int Throttled, int Unavailable) Draw(double share429, double share503, int calls)
    {
        var ledger = new ConnectorLedger(new FakeConnectorOptions { Share429 = share429, Share503 = share503 });
        var faults = Enumerable.Range(0, calls).Select(_ => ledger.Fault()).ToList();
        var counts = ledger.Snapshot();
        Assert.Equal(faults.Count(f => f == 429), counts.Throttled429);
        Assert.Equal(faults.Count(f => f == 503), counts.Unavailable503);
        return (faults.Count(f => f == 429), faults.Count(f => f == 503));
    }

    // Found in the soak (20% 429 and 5% 503 configured, not one 503 sent): each share had its own evenly spread draw, and
    // every call the 503 draw picked was one the 429 draw had picked first.
    [Theory]
    [InlineData(0.20, 0.05)]
    [InlineData(0.10, 0.10)]
    [InlineData(0.05, 0.20)]
    [InlineData(0.30, 0.03)]
    public void One_draw_is_split_between_429_and_503_in_proportion_to_their_shares(double share429, double share503)
    {
        const int calls = 10_000;
        var (throttled, unavailable) = Draw(share429, share503, calls);

        Assert.InRange(throttled, calls * share429 - 2, calls * share429 + 2);
        Assert.InRange(unavailable, calls * share503 - 2, calls * share503 + 2);
    }

    [Fact]
    public void One_share_alone_gives_only_that_fault_and_none_gives_none()
    {
        Assert.Equal((1000, 0), Draw(0.10, 0, 10_000));
        Assert.Equal((0, 500), Draw(0, 0.05, 10_000));
        Assert.Equal((0, 0), Draw(0, 0, 1_000));
    }
}
