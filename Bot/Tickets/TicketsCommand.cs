using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Microsoft.Extensions.Options;
using SupportBot.Storage;

namespace SupportBot.Tickets;

// `tickets export [--since 2026-09-01] [--status open|resolved|...] [--csv]`: every ticket from the configured storage
// (ConnectionStrings:Tables, as the bot reads it; Azurite when unset), as JSON lines or CSV, for reports and backups.
public static class TicketsCommand
{
    public static Command Create()
    {
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only tickets filed on or after this date (e.g. 2026-09-01)." };
        var status = new Option<string?>("--status") { Description = "open (New, InProgress, WaitingOnRequester), or one status name." };
        var csv = new Option<bool>("--csv") { Description = "CSV instead of JSON lines." };
        var export = new Command("export", "Write every ticket as JSON lines (or CSV) to standard output.") { since, status, csv };
        export.SetAction(async (parse, ct) =>
        {
            if (!TryParseStatus(parse.GetValue(status), out var keep))
            {
                Console.Error.WriteLine($"--status must be 'open' or one of {string.Join(", ", Enum.GetNames<TicketStatus>())}.");
                return 2;
            }
            var store = new TableTicketStore(TableStorage.CreateClient(Configuration().GetConnectionString("Tables")),
                Options.Create(new TicketOptions()), TimeProvider.System);
            var tickets = Filter(store.ExportAsync(ct), parse.GetValue(since), keep);
            await (parse.GetValue(csv) ? WriteCsvAsync(tickets, Console.Out, ct) : WriteJsonLinesAsync(tickets, Console.Out, ct));
            return 0;
        });
        var tickets = new Command("tickets", "Tickets in storage.");
        tickets.Subcommands.Add(export);
        return tickets;
    }

    public static async Task WriteJsonLinesAsync(IAsyncEnumerable<Ticket> tickets, TextWriter output, CancellationToken ct)
    {
        await foreach (var ticket in tickets.WithCancellation(ct))
            await output.WriteLineAsync(JsonSerializer.Serialize(ticket, JsonLines.Options));
    }

    public static async Task WriteCsvAsync(IAsyncEnumerable<Ticket> tickets, TextWriter output, CancellationToken ct)
    {
        // User text opened in a spreadsheet: "=HYPERLINK(...)" must stay text, never become a formula.
        var config = new CsvHelper.Configuration.CsvConfiguration(CultureInfo.InvariantCulture) { InjectionOptions = CsvHelper.Configuration.InjectionOptions.Escape };
        await using var writer = new CsvWriter(output, config, leaveOpen: true);
        writer.WriteHeader<TicketRow>();
        await writer.NextRecordAsync();
        await foreach (var ticket in tickets.WithCancellation(ct))
        {
            writer.WriteRecord(TicketRow.Of(ticket));
            await writer.NextRecordAsync();
        }
    }

    static async IAsyncEnumerable<Ticket> Filter(IAsyncEnumerable<Ticket> tickets, DateTimeOffset? since, Func<TicketStatus, bool> keep)
    {
        await foreach (var ticket in tickets)
            if ((since is null || ticket.CreatedAt >= since) && keep(ticket.Status))
                yield return ticket;
    }

    static bool TryParseStatus(string? value, out Func<TicketStatus, bool> keep)
    {
        keep = _ => true;
        if (string.IsNullOrWhiteSpace(value)) return true;
        if (value.Equals("open", StringComparison.OrdinalIgnoreCase)) { keep = s => s.IsOpen(); return true; }
        if (!Enum.TryParse<TicketStatus>(value, ignoreCase: true, out var only)) return false;
        keep = s => s == only;
        return true;
    }

    internal static IConfiguration Configuration() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile($"appsettings.{Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? "Production"}.json", optional: true)
        .AddEnvironmentVariables()
        .Build();
}

// One CSV line per ticket: the fields a report needs (history stays in the JSON export).
public sealed record TicketRow(
    int Number, string Title, string Status, string Urgency, string Category,
    string RequesterId, string? RequesterName, string? RequesterEmail, string? Department, string? JobTitle, string? OfficeLocation,
    string? Location, string? Assignee, bool RequiresBudget, bool RequiresApproval, string SuggestedArticles, bool? SuggestionsHelped,
    DateTimeOffset CreatedAt, DateTimeOffset FirstResponseDueAt, DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, DateTimeOffset? ClosedAt,
    int Changes, string Problem)
{
    public static TicketRow Of(Ticket t) => new(
        t.Number, t.Title, t.Status.ToString(), t.Urgency.ToString(), t.Category,
        t.Requester.TeamsId, t.Requester.Name, t.Requester.Email ?? t.Requester.UserPrincipalName, t.Requester.Department, t.Requester.JobTitle, t.Requester.OfficeLocation,
        t.Location, t.Assignee?.Name ?? t.Assignee?.TeamsId, t.RequiresBudget.Required, t.RequiresApproval.Required, string.Join(' ', t.SuggestedArticles), t.SuggestionsHelped,
        t.CreatedAt, t.FirstResponseDueAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt,
        t.History.Count, t.Problem);
}
