using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SupportBot.Incidents;
using SupportBot.Protocol;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Incidents;

// Major incidents through the real turn pipeline and storage (Azurite), the Connector recorded in memory. In
// Development the channel "team-id" gets tickets and user-id-0 is the on-call technician.
public sealed class MajorIncidentTests : IAsyncLifetime
{
    const string Technician = "user-id-0";
    const string Channel = "/team-id/activities";
    static readonly string[] Outage =
    [
        "the wifi is down for the whole school right now",
        "wifi is down in the whole building, nobody can get online right now",
        "no wifi anywhere in the school right now, everyone is offline",
        "the wi-fi is down across the whole school right now",
    ];

    readonly Azurite azurite = new();
    readonly MovableClock clock = new();
    BotServer bot = null!;
    ITicketStore Tickets => bot.Services.GetRequiredService<ITicketStore>();
    RecordingConnector Connector => bot.Services.GetRequiredService<RecordingConnector>();
    InProcessConversation Chat(string user) => new(bot.Services, $"a:personal-{user}");
    InProcessConversation TechniciansChannel => new(bot.Services, "team-id", conversationType: "channel");

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        bot = await BotServer.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:Tables"] = azurite.ConnectionString }, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            services.AddSingleton<RecordingConnector>();
            services.AddHttpClient(ConnectorClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<RecordingConnector>());
        });
    }

    public async Task DisposeAsync()
    {
        await bot.DisposeAsync();
        await azurite.DisposeAsync();
    }

    async Task<Ticket> ReportAsync(string user, string text)
    {
        await Chat(user).SendAsync(text, userId: user, activityId: Guid.NewGuid().ToString("N"));
        await bot.WaitForOutboxIdleAsync();
        var mine = (await Tickets.ListByRequesterAsync(user, CancellationToken.None)).OrderByDescending(t => t.Number).First();
        return (await Tickets.GetAsync(mine.Number, CancellationToken.None))!;
    }

    IReadOnlyList<RecordedCall> ChannelPosts => [.. Connector.Calls.Where(c => c.Method == HttpMethod.Post && c.Path.EndsWith(Channel))];

    // The latest version of a message: its post, or the last PUT to it.
    RecordedCall Latest(PostedCard card) =>
        Connector.Calls.LastOrDefault(c => c.Method == HttpMethod.Put && c.Path.EndsWith("/activities/" + card.ActivityId))
        ?? throw new InvalidOperationException($"Message {card.ActivityId} was never updated.");

    [Fact]
    public async Task Four_alike_reports_from_four_users_give_one_incident_card_four_linked_tickets_and_four_we_already_know_answers()
    {
        var first = await ReportAsync("user-1", Outage[0]);
        var second = await ReportAsync("user-2", Outage[1]);
        Assert.Equal(2, ChannelPosts.Count); // before the threshold, each is posted normally
        Assert.Null(first.MajorIncident);

        var third = await ReportAsync("user-3", Outage[2]);
        var fourth = await ReportAsync("user-4", Outage[3]);

        // One incident card, posted once and rewritten in place; no card of its own for the third or fourth.
        var posts = ChannelPosts;
        Assert.Equal(3, posts.Count);
        var incidentPost = posts[2];
        Assert.Contains("Possible major incident", incidentPost.CardJson);
        Assert.Contains("3 reports of Wi-Fi down", incidentPost.CardJson);
        Assert.Contains("<at>Alex Wilber</at>", incidentPost.CardJson); // emergencies: on call is mentioned once, on the incident
        var incidentId = fourth.MajorIncident!;
        var incident = (await bot.Services.GetRequiredService<MajorIncidentStore>().GetAsync(incidentId, CancellationToken.None))!.Value.Incident;
        var incidentCard = incident.Card!;
        var shown = Latest(incidentCard).CardJson;
        Assert.Contains("4 reports of Wi-Fi down in the last 1 minute", shown);
        Assert.Contains($"Absorbed #{first.Number}, #{second.Number}", shown);
        foreach (var t in new[] { first, second, third, fourth })
            Assert.Contains($"#{t.Number} ·", shown);

        // Four linked tickets, each still its requester's own, and one parent ticket for the technicians.
        var linked = new List<Ticket>();
        foreach (var t in new[] { first, second, third, fourth })
            linked.Add((await Tickets.GetAsync(t.Number, CancellationToken.None))!);
        Assert.All(linked, t => Assert.Equal(incidentId, t.MajorIncident));
        Assert.All(linked, t => Assert.Contains(t.History, e => e.Kind == TicketEventKind.LinkedToIncident));
        var parent = (await Tickets.GetAsync(incident.ParentNumber!.Value, CancellationToken.None))!;
        Assert.True(MajorIncidents.IsParent(parent));
        Assert.StartsWith("Possible major incident: Wi-Fi down", parent.Title);
        Assert.Single(await Tickets.ListByRequesterAsync("user-3", CancellationToken.None));

        // Four "we already know" answers: the third and fourth at once, the first two on their card, updated in place.
        foreach (var t in linked[..2])
        {
            Assert.Contains(MajorIncidentCard.WeAlreadyKnow, Latest(t.RequesterCard!).CardJson);
            Assert.Contains("My problem is different", Latest(t.RequesterCard!).CardJson);
        }
        foreach (var t in linked[2..])
            Assert.Contains(Connector.Calls, c => c.Method == HttpMethod.Post && c.Path.Contains($"personal-{t.Requester.TeamsId}")
                && c.CardJson.Contains(MajorIncidentCard.WeAlreadyKnow) && c.CardJson.Contains("My problem is different") && c.CardJson.Contains($"Ticket #{t.Number}"));

        // Resolving the parent from the incident card resolves and notifies all four.
        var answer = await TechniciansChannel.PressAsync(IncidentVerbs.Resolve,
            new JsonObject { ["incident"] = incidentId, ["resolution"] = "The core switch was restarted; Wi-Fi is back." }, userId: Technician);
        await bot.WaitForOutboxIdleAsync();
        Assert.Contains("Major incident resolved", answer.ToJsonString());
        foreach (var t in linked)
        {
            var now = (await Tickets.GetAsync(t.Number, CancellationToken.None))!;
            Assert.Equal(TicketStatus.Resolved, now.Status);
            Assert.Contains("Reopen", Latest(t.RequesterCard!).CardJson);
            Assert.Single(Connector.Calls, c => c.Method == HttpMethod.Post && c.Path.Contains($"personal-{t.Requester.TeamsId}")
                && c.Text?.Contains($"Ticket #{t.Number} is resolved: The core switch was restarted") == true);
        }
        Assert.Equal(TicketStatus.Resolved, (await Tickets.GetAsync(parent.Number, CancellationToken.None))!.Status);
        Assert.Contains("Major incident resolved", Latest(incidentCard).CardJson);

        // Reopened, a linked ticket is worked on its own: no "we already know", and the technicians get its card.
        var postsBefore = ChannelPosts.Count;
        var reopened = await Chat("user-3").PressAsync(TicketVerbs.Reopen, new JsonObject { ["ticket"] = third.Number }, userId: "user-3",
            replyToId: linked[2].RequesterCard!.ActivityId);
        await bot.WaitForOutboxIdleAsync();
        Assert.DoesNotContain("We already know", reopened.ToJsonString());
        Assert.Contains($"Ticket #{third.Number}", Assert.Single(ChannelPosts.Skip(postsBefore)).CardJson);

        // A fifth report after the incident is resolved is a ticket of its own again.
        var fifth = await ReportAsync("user-5", "the wifi is down again for the whole school right now");
        Assert.Null(fifth.MajorIncident);
    }

    [Fact]
    public async Task Near_misses_and_one_person_reporting_three_times_make_no_incident()
    {
        await ReportAsync("user-1", Outage[0]);
        await ReportAsync("user-2", "the VPN is down for the whole school right now");
        await ReportAsync("user-3", "the printer is down for the whole school right now");
        await ReportAsync("user-4", Outage[1]);
        await ReportAsync("user-4", Outage[2]);

        Assert.Equal(5, ChannelPosts.Count);
        Assert.DoesNotContain(ChannelPosts, c => c.CardJson.Contains("Possible major incident"));
        var open = await Tickets.ListOpenAsync(CancellationToken.None);
        Assert.Equal(5, open.Count);
    }

    [Fact]
    public async Task Reports_further_apart_than_the_window_make_no_incident()
    {
        await ReportAsync("user-1", Outage[0]);
        clock.Advance(TimeSpan.FromMinutes(20));
        await ReportAsync("user-2", Outage[1]);
        clock.Advance(TimeSpan.FromMinutes(20));
        var third = await ReportAsync("user-3", Outage[2]);

        Assert.Null(third.MajorIncident);
        Assert.Equal(3, ChannelPosts.Count);
        clock.Advance(TimeSpan.FromMinutes(5));
        var fourth = await ReportAsync("user-4", Outage[3]); // the second, third and fourth are within 30 minutes
        Assert.NotNull(fourth.MajorIncident);
        Assert.Contains("3 reports of Wi-Fi down", ChannelPosts[^1].CardJson);
    }

    [Fact]
    public async Task My_problem_is_different_unlinks_only_for_its_requester_posts_the_ticket_once_and_a_replay_acts_once()
    {
        for (var i = 0; i < 3; i++) await ReportAsync($"user-{i + 1}", Outage[i]);
        var fourth = await ReportAsync("user-4", Outage[3]);
        var incidentId = fourth.MajorIncident!;
        var chat = Chat("user-4");
        var data = new JsonObject { ["ticket"] = fourth.Number };

        var forged = await Chat("user-2").PressAsync(IncidentVerbs.Separate, data, userId: "user-2", replyToId: fourth.RequesterCard!.ActivityId);
        await bot.WaitForOutboxIdleAsync();
        Assert.Equal("application/vnd.microsoft.error", forged["type"]?.GetValue<string>());
        Assert.Equal(incidentId, (await Tickets.GetAsync(fourth.Number, CancellationToken.None))!.MajorIncident);

        var postsBefore = ChannelPosts.Count;
        var answer = await chat.PressAsync(IncidentVerbs.Separate, data, userId: "user-4", replyToId: fourth.RequesterCard.ActivityId, activityId: "press-1");
        await bot.WaitForOutboxIdleAsync();
        var replay = await chat.PressAsync(IncidentVerbs.Separate, data, userId: "user-4", replyToId: fourth.RequesterCard.ActivityId, activityId: "press-1");
        await bot.WaitForOutboxIdleAsync();
        var again = await chat.PressAsync(IncidentVerbs.Separate, data, userId: "user-4", replyToId: fourth.RequesterCard.ActivityId, activityId: "press-2");
        await bot.WaitForOutboxIdleAsync();

        Assert.Contains("a problem of its own", answer.ToJsonString());
        Assert.DoesNotContain("My problem is different", replay.ToJsonString());
        Assert.DoesNotContain("My problem is different", again.ToJsonString());
        var separate = (await Tickets.GetAsync(fourth.Number, CancellationToken.None))!;
        Assert.Null(separate.MajorIncident);
        Assert.Single(separate.History, e => e.Kind == TicketEventKind.UnlinkedFromIncident);
        var newPosts = ChannelPosts.Skip(postsBefore).ToList();
        var own = Assert.Single(newPosts);
        Assert.Contains($"Ticket #{fourth.Number}", own.CardJson);
        Assert.NotNull(separate.TechnicianCard);

        var incident = (await bot.Services.GetRequiredService<MajorIncidentStore>().GetAsync(incidentId, CancellationToken.None))!.Value.Incident;
        Assert.Equal(3, incident.Linked.Count);
        Assert.Contains($"different (now tickets of their own): #{fourth.Number}", Latest(incident.Card!).CardJson);

        // Resolving the incident leaves the separate ticket open.
        await TechniciansChannel.PressAsync(IncidentVerbs.Resolve, new JsonObject { ["incident"] = incidentId, ["resolution"] = "Switch restarted." }, userId: Technician);
        await bot.WaitForOutboxIdleAsync();
        Assert.Equal(TicketStatus.New, (await Tickets.GetAsync(fourth.Number, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task Only_technicians_resolve_a_resolution_is_required_and_resolving_the_parent_ticket_itself_resolves_every_linked_one_once()
    {
        var reports = new List<Ticket>();
        for (var i = 0; i < 3; i++) reports.Add(await ReportAsync($"user-{i + 1}", Outage[i]));
        var incidentId = reports[^1].MajorIncident!;
        var incident = (await bot.Services.GetRequiredService<MajorIncidentStore>().GetAsync(incidentId, CancellationToken.None))!.Value.Incident;

        var refused = await TechniciansChannel.PressAsync(IncidentVerbs.Resolve, new JsonObject { ["incident"] = incidentId, ["resolution"] = "forged" }, userId: "user-2");
        await bot.WaitForOutboxIdleAsync();
        Assert.Contains("only technicians", refused.ToJsonString());
        var empty = await TechniciansChannel.PressAsync(IncidentVerbs.Resolve, new JsonObject { ["incident"] = incidentId }, userId: Technician);
        await bot.WaitForOutboxIdleAsync();
        Assert.Contains("resolution note is required", empty.ToJsonString());
        var forTechnician = await TechniciansChannel.PressAsync(IncidentVerbs.Refresh, new JsonObject { ["incident"] = incidentId }, userId: Technician);
        await bot.WaitForOutboxIdleAsync();
        var forOthers = await TechniciansChannel.PressAsync(IncidentVerbs.Refresh, new JsonObject { ["incident"] = incidentId }, userId: "user-2");
        await bot.WaitForOutboxIdleAsync();
        Assert.Contains("Resolve the incident and its 3 linked tickets", forTechnician.ToJsonString());
        Assert.DoesNotContain("Resolve the incident", forOthers.ToJsonString());
        Assert.All(reports, r => Assert.Equal(TicketStatus.New, Tickets.GetAsync(r.Number, CancellationToken.None).Result!.Status));

        // The parent's own technician card ("ticket N"): Resolve there, twice (a redelivery), resolves the rest once.
        var press = new JsonObject { ["ticket"] = incident.ParentNumber, ["resolution"] = "Access point firmware rolled back." };
        await TechniciansChannel.PressAsync(TechnicianVerbs.Resolve, press, userId: Technician, activityId: "resolve-1");
        await bot.WaitForOutboxIdleAsync();
        await TechniciansChannel.PressAsync(TechnicianVerbs.Resolve, press, userId: Technician, activityId: "resolve-1");
        await bot.WaitForOutboxIdleAsync();
        foreach (var r in reports)
        {
            Assert.Equal(TicketStatus.Resolved, (await Tickets.GetAsync(r.Number, CancellationToken.None))!.Status);
            Assert.Single(Connector.Calls, c => c.Text?.Contains($"Ticket #{r.Number} is resolved: Access point firmware rolled back.") == true);
        }
    }

    [Fact]
    public async Task Concurrent_reports_on_two_instances_open_one_incident_with_one_parent_ticket()
    {
        // A second instance: its own table client and services, the same storage.
        var tables = new TableServiceClient(azurite.ConnectionString);
        var options = bot.Services.GetRequiredService<IOptions<MajorIncidentOptions>>();
        var instances = new[]
        {
            bot.Services.GetRequiredService<MajorIncidents>(),
            new MajorIncidents(new MajorIncidentStore(tables), new TableTicketStore(tables, bot.Services.GetRequiredService<IOptions<TicketOptions>>(), clock),
                bot.Services.GetRequiredService<TicketDesk>(), options, clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<MajorIncidents>.Instance),
        };
        var desk = bot.Services.GetRequiredService<TicketDesk>();
        var triage = bot.Services.GetRequiredService<SupportBot.Triage.ITriage>();
        var filed = new List<Ticket>();
        for (var i = 0; i < 8; i++)
        {
            var text = Outage[i % Outage.Length];
            filed.Add((await desk.FileAsync(new TicketRequest($"req-{i}", text, new Person($"user-{i}", $"User {i}"), triage.Triage(text),
                SupportBot.Triage.Urgency.Emergency, false), CancellationToken.None)).Ticket);
        }

        var links = await Task.WhenAll(filed.Select((t, i) => Task.Run(() => instances[i % 2].ReportAsync(t, CancellationToken.None))));

        var ids = links.Where(l => l is not null).Select(l => l!.IncidentId).Distinct().ToList();
        var id = Assert.Single(ids);
        var incident = (await bot.Services.GetRequiredService<MajorIncidentStore>().GetAsync(id, CancellationToken.None))!.Value.Incident;
        Assert.Equal(8, incident.Linked.Count);
        Assert.All(filed, t => Assert.Equal(id, Tickets.GetAsync(t.Number, CancellationToken.None).Result!.MajorIncident));
        var parents = (await Tickets.ListOpenAsync(CancellationToken.None)).Where(s => s.RequesterId == MajorIncidents.Parent.TeamsId).ToList();
        Assert.Equal(incident.ParentNumber, Assert.Single(parents).Number);
    }
}
