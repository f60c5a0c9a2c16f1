using Azure.Data.Tables;
using SupportBot.Conversations;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Conversations;

// Where the bot can reach each user, against Azurite: an unchanged reference is not written again (until its daily
// refresh), and what this instance remembers to skip those writes stays bounded however many users it sees.
public sealed class ConversationReferenceStoreTests : IAsyncLifetime
{
    static readonly CancellationToken None = CancellationToken.None;
    readonly Azurite azurite = new();
    readonly MovableClock clock = new();
    TableServiceClient tables = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        tables = new TableServiceClient(azurite.ConnectionString);
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    static ConversationReference Reference(string user, string serviceUrl = "http://127.0.0.1:9/") => new(null, new ChannelAccount { Id = user },
        new ChannelAccount { Id = "28:bot" }, new ConversationAccount { Id = "a:" + user }, "msteams", serviceUrl, "en-GB", "tenant-1");

    async Task<Azure.ETag> ETagOf(string user) =>
        (await tables.GetTableClient("ConversationReferences").GetEntityAsync<TableEntity>("tenant-1", SupportBot.Storage.LazyTable.Key(user), cancellationToken: None)).Value.ETag;

    [Fact]
    public async Task An_unchanged_reference_is_written_again_only_when_due_a_refresh()
    {
        var store = new ConversationReferenceStore(tables, clock);
        await store.SaveAsync(Reference("29:ann"), None);
        var first = await ETagOf("29:ann");

        await store.SaveAsync(Reference("29:ann"), None);
        Assert.Equal(first, await ETagOf("29:ann"));

        await store.SaveAsync(Reference("29:ann", "http://127.0.0.1:10/"), None);
        var changed = await ETagOf("29:ann");
        Assert.NotEqual(first, changed);
        Assert.Equal("http://127.0.0.1:10/", (await store.FindAsync("tenant-1", "29:ann", None))!.ServiceUrl);

        clock.Advance(ConversationReferenceStore.RefreshEvery);
        await store.SaveAsync(Reference("29:ann", "http://127.0.0.1:10/"), None);
        Assert.NotEqual(changed, await ETagOf("29:ann"));
    }

    // Regression (memory): the last reference written was kept, JSON and all, for every user the instance ever saw.
    [Fact]
    public async Task It_remembers_at_most_its_capacity_of_users_the_latest_kept()
    {
        var store = new ConversationReferenceStore(tables, clock) { Capacity = 10 };
        for (var i = 0; i < 25; i++)
        {
            await store.SaveAsync(Reference($"29:user-{i}"), None);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.InRange(store.Remembered, 9, 10);
        // The latest is still known: saving it again writes nothing. The first was forgotten: it is written again.
        var latest = await ETagOf("29:user-24");
        await store.SaveAsync(Reference("29:user-24"), None);
        Assert.Equal(latest, await ETagOf("29:user-24"));
        var firstUser = await ETagOf("29:user-0");
        await store.SaveAsync(Reference("29:user-0"), None);
        Assert.NotEqual(firstUser, await ETagOf("29:user-0"));
    }
}
