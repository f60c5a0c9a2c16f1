using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SupportBot.Knowledge;
using SupportBot.Protocol;
using SupportBot.Storage;
using SupportBot.Surveys;
using SupportBot.Tickets;

namespace SupportBot.Outcomes;

// Reads what the figures need from storage. Tickets come from the full export (a help desk's tickets are thousands,
// not millions); polls and deflections are read from the window's start.
public sealed class OutcomeSource(ITicketStore tickets, PollStore polls, ArticleFeedbackStore feedback, Sla sla, TimeProvider clock, Func<string, string?> categoryOf)
{
    public const int DefaultDays = 30;
    public const int MaxDays = 366;

    public async Task<OutcomeReport> ComputeAsync(int days, CancellationToken ct)
    {
        var window = OutcomeWindow.LastDays(days, clock.GetUtcNow());
        var relevant = new List<Ticket>();
        await foreach (var t in tickets.ExportAsync(ct))
            if (t.CreatedAt >= window.From || t.History.Any(e => e.Kind == TicketEventKind.Resolved && e.At >= window.From))
                relevant.Add(t);
        var asked = new List<PollRecord>();
        await foreach (var p in polls.ListAskedSinceAsync(window.From, ct)) asked.Add(p);
        var deflections = (await feedback.ListFixedAsync(window.From, ct)).Select(f => new Deflection(f.ArticleId, categoryOf(f.ArticleId), f.At)).ToList();
        return OutcomeReports.Compute(window, relevant, asked, deflections, sla, await feedback.GetAllAsync(ct));
    }
}

// `stats` (technicians) in chat, and `stats [--days 30] [--json]` on the command line: the same figures.
public sealed class StatsCommand(OutcomeSource source)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
    };

    public async Task ShowAsync(TurnContext turn, int days, CancellationToken ct)
    {
        if (days is < 1 or > OutcomeSource.MaxDays)
        {
            await turn.SendActivityAsync($"Choose a window from 1 to {OutcomeSource.MaxDays} days, for example \"stats 7\".", ct);
            return;
        }
        var report = await source.ComputeAsync(days, ct);
        await turn.SendActivityAsync(Activity.CreateMessage(attachments: StatsCard.Create(report).ToAttachment()), ct);
    }

    public static System.CommandLine.Command Create()
    {
        var days = new Option<int>("--days") { Description = "The window: the last N days (default 30).", DefaultValueFactory = _ => OutcomeSource.DefaultDays };
        var json = new Option<bool>("--json") { Description = "The figures as one JSON document." };
        var command = new System.CommandLine.Command("stats", "Help desk outcomes from the configured storage: the same figures as the stats card.") { days, json };
        command.SetAction(async (parse, ct) =>
        {
            var window = parse.GetValue(days);
            if (window is < 1 or > OutcomeSource.MaxDays)
            {
                Console.Error.WriteLine($"--days must be from 1 to {OutcomeSource.MaxDays}.");
                return 2;
            }
            var report = await (await FromConfigurationAsync(Configuration(), TimeProvider.System)).ComputeAsync(window, ct);
            await WriteAsync(report, parse.GetValue(json), Console.Out);
            return 0;
        });
        return command;
    }

    public static async Task WriteAsync(OutcomeReport report, bool json, TextWriter output)
    {
        if (json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, Json));
            return;
        }
        await output.WriteLineAsync($"Help desk outcomes, {report.Window.From:yyyy-MM-dd HH:mm} to {report.Window.To:yyyy-MM-dd HH:mm} UTC");
        foreach (var fact in StatsCard.Facts(report.Overall)) await output.WriteLineAsync($"  {fact.Title}: {fact.Value}");
        foreach (var (heading, groups, deflections) in new[] { ("By category", report.ByCategory, true), ("By technician", report.ByTechnician, false) })
        {
            await output.WriteLineAsync(heading);
            foreach (var g in groups) await output.WriteLineAsync("  " + StatsCard.Line(g, deflections));
        }
        await output.WriteLineAsync("Knowledge gaps");
        foreach (var gap in report.KnowledgeGaps)
            await output.WriteLineAsync($"  {StatsCard.GapLine(gap)} (tickets {string.Join(", ", gap.Numbers)}; draft from #{gap.Example})");
        foreach (var weak in report.WeakArticles)
            await output.WriteLineAsync($"  {StatsCard.WeakLine(weak)}");
        await output.WriteLineAsync("Frequent requesters");
        foreach (var r in report.FrequentRequesters)
            await output.WriteLineAsync($"  {r.Name}: {r.Tickets} ({string.Join(", ", r.Categories.Select(c => $"{c.Category} {c.Tickets}"))})");
    }

    // What the bot reads, composed without the web host: the same tables and support hours.
    public static OutcomeSource FromConfiguration(IConfiguration configuration, TimeProvider clock, IReadOnlyDictionary<string, string> categories)
    {
        var tables = TableStorage.CreateClient(configuration.GetConnectionString("Tables"));
        var support = new SupportOptions();
        configuration.GetSection("Support").Bind(support);
        return new OutcomeSource(new TableTicketStore(tables, Options.Create(new TicketOptions()), clock), new PollStore(tables), new ArticleFeedbackStore(tables),
            new Sla(new SupportHours(support)), clock, id => categories.GetValueOrDefault(id));
    }

    static async Task<OutcomeSource> FromConfigurationAsync(IConfiguration configuration, TimeProvider clock)
    {
        var tables = TableStorage.CreateClient(configuration.GetConnectionString("Tables"));
        var articles = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory).Concat(await new PublishedArticleStore(tables).ListPublishedAsync(CancellationToken.None));
        return FromConfiguration(configuration, clock, articles.GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.Last().Category));
    }

    static IConfiguration Configuration() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}

public static class OutcomeServiceCollectionExtensions
{
    public static IServiceCollection AddOutcomes(this IServiceCollection services)
    {
        services.AddSingleton(sp => new OutcomeSource(sp.GetRequiredService<ITicketStore>(), sp.GetRequiredService<PollStore>(),
            sp.GetRequiredService<ArticleFeedbackStore>(), sp.GetRequiredService<Sla>(), sp.GetRequiredService<TimeProvider>(),
            id => sp.GetRequiredService<KnowledgeBase>().Find(id)?.Category));
        services.AddSingleton<StatsCommand>();
        return services;
    }
}
