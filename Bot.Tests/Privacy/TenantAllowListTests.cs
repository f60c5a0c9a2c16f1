using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using SupportBot.Privacy;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;
using SupportBot.Tickets;

namespace SupportBot.Tests.Privacy;

// Security:AllowedTenants over HTTP, against Azurite: a listed tenant is served; any other gets 403 and nothing is stored.
public sealed class TenantAllowListTests : IAsyncLifetime
{
    const string Allowed = "11111111-1111-1111-1111-111111111111";
    const string Stranger = "99999999-9999-9999-9999-999999999999";
    readonly Azurite azurite = new();
    readonly HttpClient http = new();
    BotServer bot = null!;
    RecordingConnector connector = null!;

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        bot = await BotServer.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Tables"] = azurite.ConnectionString,
            ["Security:AllowedTenants:0"] = Allowed,
            ["Security:AllowedTenants:1"] = "22222222-2222-2222-2222-222222222222",
        }, services =>
        {
            services.AddSingleton<RecordingConnector>();
            services.AddHttpClient(ConnectorClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<RecordingConnector>());
        });
        connector = bot.Services.GetRequiredService<RecordingConnector>();
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await bot.DisposeAsync();
        await azurite.DisposeAsync();
    }

    static JsonObject Message(string id, string text, string? channelDataTenant, string? conversationTenant) => new()
    {
        ["type"] = "message",
        ["id"] = id,
        ["channelId"] = "msteams",
        ["serviceUrl"] = InProcessConversation.ServiceUrl,
        ["from"] = new JsonObject { ["id"] = "29:user-" + id, ["name"] = "Sam", ["aadObjectId"] = "aad-" + id },
        ["recipient"] = new JsonObject { ["id"] = "28:bot" },
        ["conversation"] = new JsonObject { ["id"] = "a:conv-" + id, ["conversationType"] = "personal", ["tenantId"] = conversationTenant },
        ["channelData"] = channelDataTenant is null ? null : new JsonObject { ["tenant"] = new JsonObject { ["id"] = channelDataTenant } },
        ["text"] = text,
    };

    async Task<int> RowsAsync(string table)
    {
        var client = new TableServiceClient(azurite.ConnectionString).GetTableClient(table);
        await client.CreateIfNotExistsAsync();
        var count = 0;
        await foreach (var _ in client.QueryAsync<TableEntity>()) count++;
        return count;
    }

    [Fact]
    public async Task A_listed_tenant_is_served_and_its_emergency_filed()
    {
        var response = await http.PostAsJsonAsync(bot.MessagesEndpoint, Message("ok-1", "the projector is dead and the class is waiting right now", Allowed, Allowed));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEmpty(connector.Calls);
        Assert.Equal(1, await RowsAsync("ConversationReferences"));
        var ticket = Assert.Single(await bot.Services.GetRequiredService<ITicketStore>().ListByRequesterAsync("29:user-ok-1", CancellationToken.None));
        Assert.Equal(1001, ticket.Number);
    }

    [Theory]
    [InlineData(Stranger, Stranger)]
    [InlineData(Stranger, null)]
    [InlineData(null, Stranger)]
    [InlineData(null, null)]
    // A forged second place for the tenant must not slip past the first.
    [InlineData(Allowed, Stranger)]
    [InlineData(Stranger, Allowed)]
    public async Task Any_other_tenant_gets_403_with_the_reason_and_nothing_is_stored_or_sent(string? channelDataTenant, string? conversationTenant)
    {
        var response = await http.PostAsJsonAsync(bot.MessagesEndpoint, Message("no-1", "the projector is dead and the class is waiting right now", channelDataTenant, conversationTenant));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("tenant not allowed", problem!["detail"]!.GetValue<string>());
        Assert.Empty(connector.Calls);
        Assert.Equal(0, await RowsAsync("ConversationReferences"));
        Assert.Equal(0, await RowsAsync("TicketRequests"));
        Assert.Equal(0, await RowsAsync("Tickets"));
        Assert.Equal(0, await RowsAsync("Outbox"));
    }

    [Fact]
    public async Task Card_actions_and_installs_from_another_tenant_are_refused_too()
    {
        var install = new JsonObject
        {
            ["type"] = "installationUpdate", ["id"] = "inst-1", ["action"] = "add", ["channelId"] = "msteams",
            ["serviceUrl"] = InProcessConversation.ServiceUrl, ["from"] = new JsonObject { ["id"] = "29:x" },
            ["recipient"] = new JsonObject { ["id"] = "28:bot" }, ["conversation"] = new JsonObject { ["id"] = "a:x", ["tenantId"] = Stranger },
        };
        var invoke = Message("inv-1", "", Stranger, Stranger);
        invoke["type"] = "invoke";
        invoke["name"] = "adaptiveCard/action";
        invoke["value"] = new JsonObject { ["action"] = new JsonObject { ["type"] = "Action.Execute", ["verb"] = "ticket.cancel", ["data"] = new JsonObject { ["ticket"] = 1001 } } };

        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync(bot.MessagesEndpoint, install)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsJsonAsync(bot.MessagesEndpoint, invoke)).StatusCode);
        Assert.Empty(connector.Calls);
        Assert.Equal(0, await RowsAsync("ConversationReferences"));
    }

    [Fact]
    public void With_no_list_every_tenant_is_allowed_and_blank_entries_do_not_restrict()
    {
        var open = new TenantAllowList(Microsoft.Extensions.Options.Options.Create(new TenantOptions { AllowedTenants = ["", "  "] }));
        Assert.False(open.IsRestricted);
        Assert.True(open.Allows(new Activity { Conversation = new ConversationAccount { Id = "c" } }));
        var closed = new TenantAllowList(Microsoft.Extensions.Options.Options.Create(new TenantOptions { AllowedTenants = [" " + Allowed.ToUpperInvariant() + " "] }));
        Assert.True(closed.Allows(new Activity { ChannelData = new TeamsChannelData { Tenant = new TenantInfo(Allowed) } }));
    }
}
