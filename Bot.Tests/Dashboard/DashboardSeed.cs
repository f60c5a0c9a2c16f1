using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Knowledge;
using SupportBot.Surveys;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Dashboard;

// A small help desk in Azurite, written through the bot's own stores at chosen moments (each store on a clock set to the
// moment), so every figure on the dashboard is known in advance. Now = when Seed ran.
//   open: #1001 normal, due in 27 h (on track); #1002 emergency, due in 10 min (on track); #1003 normal, reply overdue by
//         1 h (breached, internal note); #1004 emergency, overdue by 15 min (breached). Queue: 1004, 1002, 1003, 1001.
//   resolved in the last 7 days, all "vpn", none fixed by an article (a knowledge gap of 3): #1005 (reply in time, rated 5,
//         fixed first time), #1006 (reply late; resolved, reopened, resolved again), #1007 (reply in time, rated 2, not
//         fixed first time).
//   20 days ago: #1008 (devices), so 30 days show 8 opened and 7 days show 7.
//   two "This fixed it" on the backups article (category files) just now.
public sealed class DashboardSeed(TableServiceClient tables)
{
    static readonly CancellationToken None = CancellationToken.None;
    public static readonly int[] QueueOrder = [1004, 1002, 1003, 1001];
    public DateTimeOffset Now { get; private set; }
    int request;

    public async Task SeedAsync()
    {
        var now = Now = DateTimeOffset.UtcNow;
        var taylor = new Person("29:taylor", "Taylor Tech", "aad-taylor");
        var robin = new Person("29:robin", "Robin Tech", "aad-robin");

        await FileAsync(now.AddHours(-3), n => Sample(n, "Projector bulb flickers", "av", Urgency.Normal, now.AddHours(-3), now.AddHours(27)));
        var serverRoom = await FileAsync(now.AddMinutes(-5), n => Sample(n, "Server room alarm is sounding", "security", Urgency.Emergency, now.AddMinutes(-5), now.AddMinutes(10)));
        await ChangeAsync(now.AddMinutes(-4), serverRoom.Number, t => t with { Assignee = taylor, Status = TicketStatus.InProgress }, new NewEvent(taylor.TeamsId, taylor.Name, TicketEventKind.Assigned, "Assigned to Taylor Tech"));
        var printer = await FileAsync(now.AddDays(-2), n => Sample(n, "Printer offline in the library", "printing", Urgency.Normal, now.AddDays(-2), now.AddHours(-1)));
        await ChangeAsync(now.AddDays(-1), printer.Number, t => t with { Assignee = robin }, new NewEvent(robin.TeamsId, robin.Name, TicketEventKind.InternalNote, "Internal note", "Toner ordered, arriving Tuesday"));
        await FileAsync(now.AddMinutes(-30), n => Sample(n, "Wifi down in the whole building", "network", Urgency.Emergency, now.AddMinutes(-30), now.AddMinutes(-15)));

        var polls = new PollStore(tables);
        var first = await ResolvedAsync(now.AddDays(-3), "VPN disconnects every few minutes", replyAfter: TimeSpan.FromHours(1), resolvedAt: now.AddDays(-2), taylor, "Reinstalled the VPN client");
        var second = await ResolvedAsync(now.AddDays(-4), "VPN keeps disconnecting every few minutes from home", replyAfter: TimeSpan.FromHours(10), resolvedAt: now.AddDays(-3), robin, "Reset the VPN profile");
        await ChangeAsync(now.AddDays(-2.5), second.Number, t => t with { Status = TicketStatus.InProgress, ResolvedAt = null }, new NewEvent("user-1", "Sam Requester", TicketEventKind.Reopened, "Reopened"));
        await ChangeAsync(now.AddDays(-2), second.Number, t => t with { Status = TicketStatus.Resolved, ResolvedAt = now.AddDays(-2) }, new NewEvent(robin.TeamsId, robin.Name, TicketEventKind.Resolved, "Resolved", "Replaced the home router's VPN passthrough setting"));
        var third = await ResolvedAsync(now.AddDays(-5), "VPN connection drops every few minutes", replyAfter: TimeSpan.FromHours(2), resolvedAt: now.AddDays(-4), taylor, "Updated the VPN client");
        await polls.CreateAsync(PollRecord.For(first, PollRecord.CurrentResolution(first)!.Value, now.AddDays(-2)) with { Rating = 5, RatedAt = now.AddDays(-2), FirstTimeFix = true }, None);
        await polls.CreateAsync(PollRecord.For(third, PollRecord.CurrentResolution(third)!.Value, now.AddDays(-4)) with { Rating = 2, RatedAt = now.AddDays(-4), FirstTimeFix = false }, None);

        await ResolvedAsync(now.AddDays(-20), "Laptop battery is swollen", replyAfter: TimeSpan.FromHours(1), resolvedAt: now.AddDays(-19), robin, "Replaced the battery", category: "devices");

        var feedback = new ArticleFeedbackStore(tables);
        foreach (var id in new[] { "deflect-1", "deflect-2" })
        {
            await feedback.RecordSuggestionAsync(id, "user-9", ["backups"], "how do I back up my files", None);
            await feedback.RecordOutcomeAsync(id, "user-9", "backups", None);
        }
    }

    async Task<Ticket> ResolvedAsync(DateTimeOffset filed, string title, TimeSpan replyAfter, DateTimeOffset resolvedAt, Person by, string note, string category = "vpn")
    {
        var ticket = await FileAsync(filed, n => Sample(n, title, category, Urgency.Normal, filed, filed.AddHours(8)) with { SuggestedArticles = ["vpn"], SuggestionsHelped = false });
        await ChangeAsync(filed + replyAfter, ticket.Number, t => t with { Assignee = by, Status = TicketStatus.InProgress, FirstResponseAt = filed + replyAfter },
            new NewEvent(by.TeamsId, by.Name, TicketEventKind.NoteToRequester, "Note to the requester", "Looking into it now"));
        return await ChangeAsync(resolvedAt, ticket.Number, t => t with { Status = TicketStatus.Resolved, ResolvedAt = resolvedAt },
            new NewEvent(by.TeamsId, by.Name, TicketEventKind.Resolved, "Resolved", note));
    }

    async Task<Ticket> FileAsync(DateTimeOffset at, Func<int, Ticket> create) =>
        (await StoreAt(at).FileAsync($"seed|{Interlocked.Increment(ref request)}", create, None)).Ticket;

    async Task<Ticket> ChangeAsync(DateTimeOffset at, int number, Func<Ticket, Ticket> change, NewEvent e) =>
        (await StoreAt(at).UpdateAsync(number, t => new TicketChange(change(t) with { UpdatedAt = at }, [e], $"seed-{Guid.NewGuid():N}"), None))!.Ticket;

    // The store reads the time from its clock; its retry delays must still run in real time (a FakeTimeProvider's never fire).
    TableTicketStore StoreAt(DateTimeOffset at) => new(tables, Options.Create(new TicketOptions()), new StoppedClock(at));

    sealed class StoppedClock(DateTimeOffset at) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => at;
    }

    static Ticket Sample(int number, string title, string category, Urgency urgency, DateTimeOffset created, DateTimeOffset due) =>
        Tests.Tickets.TicketStoreTests.Sample(number, urgency: urgency, problem: title + ". Please help.", due: due, title: title) with
        {
            Category = category,
            CreatedAt = created,
            UpdatedAt = created,
        };
}
