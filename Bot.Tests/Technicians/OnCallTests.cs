using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SupportBot.Protocol;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Technicians;

// On call through the real bot: who emergency cards mention (AAD ids mapped to Teams ids through the technicians' team)
// and the "oncall" command. Monday 23 November 2026, 10:00 in London (GMT, so also 10:00 UTC).
public sealed class OnCallTests : IAsyncLifetime
{
    const string Megan = "11111111-1111-1111-1111-111111111111"; // an AAD id of a member of the technicians' team
    const string Adele = "22222222-2222-2222-2222-222222222222"; // an AAD id nobody in the team has
    static readonly DateTimeOffset Monday10 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    readonly Azurite azurite = new();
    readonly RecordingConnector recorder = new();
    BotServer? bot;

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        if (bot is not null) await bot.DisposeAsync();
        await azurite.DisposeAsync();
    }

    async Task<BotServer> StartAsync(Dictionary<string, string?> settings)
    {
        settings["ConnectionStrings:Tables"] = azurite.ConnectionString;
        bot = await BotServer.StartAsync(settings, services =>
        {
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(Monday10));
            services.AddSingleton(recorder);
            services.AddHttpClient(ConnectorClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new TeamConnector(recorder));
        });
        return bot;
    }

    // The team's channel becomes the tickets channel (so the bot knows the team and reads its members).
    static async Task<InProcessConversation> SetUpChannelAsync(BotServer bot)
    {
        var channel = new InProcessConversation(bot.Services, "team-id", conversationType: "channel");
        await channel.SendAsync("setup", userId: "user-id-0");
        return channel;
    }

    [Fact]
    public async Task An_emergency_card_mentions_an_on_call_AAD_id_by_its_Teams_id_and_names_one_it_cannot_map()
    {
        var bot = await StartAsync(new()
        {
            ["Support:OnCall:0:Id"] = Megan, ["Support:OnCall:0:Name"] = "Megan Bowen",
            ["Support:OnCall:1:Id"] = Adele, ["Support:OnCall:1:Name"] = "Adele Vance",
        });
        await SetUpChannelAsync(bot);

        await new InProcessConversation(bot.Services).SendAsync("the projector just died and my class is waiting right now");

        await recorder.WaitForAsync(c => c.Method == HttpMethod.Post && c.Path.EndsWith("/team-id/activities") && c.Card is not null);
        await bot!.WaitForOutboxIdleAsync();
        var posted = Assert.Single(recorder.Calls, c => c.Method == HttpMethod.Post && c.Path.EndsWith("/team-id/activities") && c.Card is not null);
        Assert.Contains("On call: <at>Megan Bowen</at>, Adele Vance", posted.CardJson);
        var mentioned = Assert.Single(posted.Card!["msteams"]!["entities"]!.AsArray());
        Assert.Equal("29:megan", mentioned!["mentioned"]!["id"]!.GetValue<string>());
        Assert.Equal("<at>Megan Bowen</at>", mentioned["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Oncall_says_who_is_on_call_now_and_the_next_changes_this_week_in_the_rotas_time_zone()
    {
        var bot = await StartAsync(new()
        {
            ["Support:OnCallRota:TimeZone"] = "Europe/London",
            ["Support:OnCallRota:Shifts:0:Days:0"] = "Mon-Fri",
            ["Support:OnCallRota:Shifts:0:From"] = "08:00", ["Support:OnCallRota:Shifts:0:To"] = "17:00",
            ["Support:OnCallRota:Shifts:0:Id"] = "29:sam", ["Support:OnCallRota:Shifts:0:Name"] = "Sam Tech",
            ["Support:OnCallRota:Shifts:1:Days:0"] = "Mon-Fri",
            ["Support:OnCallRota:Shifts:1:From"] = "17:00", ["Support:OnCallRota:Shifts:1:To"] = "08:00",
            ["Support:OnCallRota:Shifts:1:Id"] = Megan,
        });
        var channel = await SetUpChannelAsync(bot);

        await channel.SendAsync("oncall", userId: "user-id-0");

        var text = channel.Calls[^1].Text!;
        Assert.StartsWith("On call now: Alex Wilber, Sam Tech.", text); // Support:OnCall (Development) and the day shift
        Assert.Contains("Next changes this week (Europe/London time):", text);
        Assert.Contains("- Mon 17:00: Alex Wilber, Megan Bowen", text); // the AAD id named from the team's member list
        Assert.Contains("- Tue 08:00: Alex Wilber, Sam Tech", text);
        Assert.Contains("- Sat 08:00: Alex Wilber\n", text);
        await channel.SendAsync("oncall", userId: "user-2");
        Assert.Contains("for technicians", channel.Calls[^1].Text);
    }

    [Fact]
    public async Task Oncall_with_nobody_on_call_says_so_and_how_to_set_it()
    {
        var bot = await StartAsync(new() { ["Support:OnCall:0:Id"] = "" });
        var channel = new InProcessConversation(bot.Services, "team-id", conversationType: "channel");

        await channel.SendAsync("oncall", userId: "user-id-0");

        var text = channel.Calls[^1].Text!;
        Assert.Contains("Nobody is on call", text);
        Assert.Contains("Support:OnCallRota", text);
    }

    [Fact]
    public async Task An_unknown_rota_time_zone_stops_the_bot_at_start_with_a_clear_message()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => StartAsync(new() { ["Support:OnCallRota:TimeZone"] = "Mars/Olympus_Mons" }));

        Assert.Contains("Support:OnCallRota:TimeZone 'Mars/Olympus_Mons' is not a known time zone id", error.Message);
    }

    // Answers the technicians' team member list (Megan has an AAD id, as Teams reports it); everything else is recorded.
    sealed class TeamConnector(RecordingConnector recorder) : DelegatingHandler(recorder)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            if (!request.RequestUri!.AbsolutePath.EndsWith("/pagedmembers", StringComparison.Ordinal)) return base.SendAsync(request, ct);
            var page = new { members = new[] { new { id = "29:megan", name = "Megan Bowen", aadObjectId = Megan }, new { id = "user-id-0", name = "Alex Wilber", aadObjectId = "aad-0" } } };
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(JsonSerializer.Serialize(page), Encoding.UTF8, "application/json"),
            });
        }
    }
}
