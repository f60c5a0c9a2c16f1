using Azure.Core;
using Microsoft.Extensions.Options;
using SupportBot.Technicians;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Technicians;

// Where tickets are posted, as two instances on one storage account see it (Azurite): read once per RereadAfter, a
// setup elsewhere seen within it, and "no channel yet" never kept.
public sealed class TechnicianChannelTests : IAsyncLifetime
{
    static readonly CancellationToken None = CancellationToken.None;
    readonly Azurite azurite = new();
    readonly MovableClock clock = new();
    int settingsReads;

    public Task InitializeAsync() => azurite.InitializeAsync();

    public Task DisposeAsync() => azurite.DisposeAsync();

    TechnicianChannel Instance(string? configured = null) => new(
        TableFaults.Client(azurite.ConnectionString, message =>
        {
            if (message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains("/Settings(", StringComparison.Ordinal))
                Interlocked.Increment(ref settingsReads);
        }),
        Options.Create(new TechnicianOptions { TechnicianChannelId = configured }), clock);

    static ChannelAddress Channel(string id) => new(id, "http://127.0.0.1:9/", "team-1", "tenant-1");

    [Fact]
    public async Task A_found_channel_is_read_from_storage_once_per_reread_interval()
    {
        var instance = Instance();
        await Instance().SetAsync(Channel("19:tickets"), None);

        for (var post = 0; post < 10; post++)
            Assert.Equal("19:tickets", (await instance.FindAsync(None))?.ChannelId);
        Assert.Equal(1, settingsReads);

        clock.Advance(TechnicianChannel.RereadAfter);
        await instance.FindAsync(None);
        Assert.Equal(2, settingsReads);
    }

    [Fact]
    public async Task A_setup_on_another_instance_is_seen_here_within_the_reread_interval_and_at_once_on_its_own()
    {
        var here = Instance(configured: "19:from-config");
        var there = Instance();
        Assert.Equal("19:from-config", (await here.FindAsync(None))?.ChannelId);

        await there.SetAsync(Channel("19:moved"), None);

        Assert.Equal("19:moved", (await there.FindAsync(None))?.ChannelId);
        clock.Advance(TechnicianChannel.RereadAfter);
        Assert.Equal("19:moved", (await here.FindAsync(None))?.ChannelId);
    }

    [Fact]
    public async Task No_channel_is_never_kept_so_the_first_setup_is_seen_by_every_instance_on_its_next_post()
    {
        var here = Instance();
        Assert.Null(await here.FindAsync(None));

        await Instance().SetAsync(Channel("19:first"), None);

        Assert.Equal("19:first", (await here.FindAsync(None))?.ChannelId);
    }
}
