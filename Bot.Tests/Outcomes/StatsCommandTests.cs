using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Surveys;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Outcomes;

// `stats` in chat (technicians only) and on the command line (`stats --json`), over tickets and answers in Azurite.
public sealed class StatsCommandTests : InProcessBotTests
{
    static readonly CancellationToken None = CancellationToken.None;

    // Two printing tickets by Sam this week, one resolved by Taylor and rated 5 with "Yes" to first-time fix; one wifi ticket
    // filed 40 days ago (outside the default window).
    async Task SeedAsync()
    {
        var tables = new TableServiceClient(Azurite.ConnectionString);
        var old = new TableTicketStore(tables, Options.Create(new TicketOptions()), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(-40)));
        await old.FileAsync("s|0", n => Tests.Tickets.TicketStoreTests.Sample(n) with { Category = "wifi", CreatedAt = DateTimeOffset.UtcNow.AddDays(-40) }, None);
        var first = (await Tickets.FileAsync("s|1", n => Tests.Tickets.TicketStoreTests.Sample(n), None)).Ticket;
        await Tickets.FileAsync("s|2", n => Tests.Tickets.TicketStoreTests.Sample(n), None);
        var resolved = (await Tickets.UpdateAsync(first.Number, t => new TicketChange(t with
        {
            Status = TicketStatus.Resolved, ResolvedAt = DateTimeOffset.UtcNow, FirstResponseAt = DateTimeOffset.UtcNow, Assignee = new Person("29:taylor", "Taylor Tech"),
        }, [new NewEvent("29:taylor", "Taylor Tech", TicketEventKind.Resolved, "Resolved", "New toner")]), None))!.Ticket;
        var polls = new PollStore(tables);
        var poll = PollRecord.For(resolved, PollRecord.CurrentResolution(resolved)!.Value, DateTimeOffset.UtcNow);
        await polls.CreateAsync(poll with { Rating = 5, RatedAt = DateTimeOffset.UtcNow, FirstTimeFix = true }, None);
    }

    [Fact]
    public async Task Technicians_get_the_stats_card_and_everyone_else_is_told_it_is_not_theirs()
    {
        await SeedAsync();
        var chat = new InProcessConversation(Bot.Services);

        await chat.SendAsync("stats", userId: "user-2");
        Assert.Contains("for technicians", chat.Calls[^1].Text);

        await chat.SendAsync("stats 7", userId: "user-id-0");
        var card = chat.Calls[^1].CardJson;
        Assert.Contains("last 7 days", card);
        Assert.Contains("2 opened · 1 resolved", card);
        Assert.Contains("100% satisfied or very satisfied", card);
        Assert.Contains("Taylor Tech: 1 opened · 1 resolved", card);

        await chat.SendAsync("stats 0", userId: "user-id-0");
        Assert.Contains("from 1 to 366 days", chat.Calls[^1].Text);
    }

    [Fact]
    public async Task Stats_json_on_the_command_line_has_the_fields_and_the_figures()
    {
        await SeedAsync();

        var json = JsonNode.Parse(await RunAsync("stats", "--json"))!;

        var window = json["window"]!;
        Assert.Equal(30, window["days"]!.GetValue<int>());
        Assert.True(DateTimeOffset.Parse(window["to"]!.GetValue<string>()) - DateTimeOffset.Parse(window["from"]!.GetValue<string>()) == TimeSpan.FromDays(30));
        var overall = json["overall"]!;
        Assert.Equal(2, overall["opened"]!.GetValue<int>());                 // the 40-day-old wifi ticket is outside
        Assert.Equal(1, overall["resolved"]!.GetValue<int>());
        Assert.Equal(0, overall["emergencies"]!.GetValue<int>());
        Assert.Equal(1, overall["pollsAsked"]!.GetValue<int>());
        Assert.Equal(1.0, overall["satisfaction"]!.GetValue<double>());
        Assert.Equal(1.0, overall["firstTimeFixRate"]!.GetValue<double>());
        Assert.Equal(0.0, overall["reopenRate"]!.GetValue<double>());
        Assert.Equal(0, overall["deflections"]!.GetValue<int>());
        Assert.Equal(0.0, overall["deflectionRate"]!.GetValue<double>());
        Assert.True(TimeSpan.Parse(overall["medianFirstResponse"]!.GetValue<string>()) < TimeSpan.FromMinutes(5)); // replied as it was filed
        foreach (var field in new[] { "medianResolution", "firstResponseWithinTarget", "resolutionWithinTarget", "responseRate", "reopened", "firstTimeFixAnswers", "pollsAnswered" })
            Assert.True(overall.AsObject().ContainsKey(field), field);
        Assert.Equal("printing", json["byCategory"]![0]!["name"]!.GetValue<string>());
        Assert.Equal(["Taylor Tech", SupportBot.Outcomes.OutcomeReports.Unassigned], json["byTechnician"]!.AsArray().Select(g => g!["name"]!.GetValue<string>()));
        Assert.Null(json["byTechnician"]![0]!["figures"]!["deflectionRate"]?.GetValue<double?>());
        Assert.Empty(json["frequentRequesters"]!.AsArray());                 // Sam filed 2 in the window: under 3

        Assert.Equal(3, JsonNode.Parse(await RunAsync("stats", "--json", "--days", "60"))!["overall"]!["opened"]!.GetValue<int>());
        Assert.Contains("Satisfaction: 100% satisfied", await RunAsync("stats"));
        await RunAsync(2, "stats", "--days", "0");
    }

    Task<string> RunAsync(params string[] args) => RunAsync(0, args);

    async Task<string> RunAsync(int exitCode, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SupportBot.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["ConnectionStrings__Tables"] = Azurite.ConnectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        Assert.True(process.ExitCode == exitCode, $"exit {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}

public sealed class StatsCommandParseTests
{
    [Theory]
    [InlineData("stats", 30)]
    [InlineData("Stats 7", 7)]
    [InlineData("statistics 90 days", 90)]
    [InlineData("stats for 14 days", 14)]
    [InlineData("stats 0", 0)]
    public void Stats_takes_an_optional_number_of_days(string text, int days) =>
        Assert.Equal(new SupportBot.Conversations.Command.Stats(days), SupportBot.Conversations.Commands.Parse(text));

    [Theory]
    [InlineData("stats are wrong on my report")]
    [InlineData("my stats page won't load")]
    public void A_sentence_about_stats_is_a_request(string text) => Assert.Null(SupportBot.Conversations.Commands.Parse(text));
}
