using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Moq;
using SupportBot.Knowledge;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Tickets;

// The ticket rules above a mocked store: what filing builds, and what each requester change decides.
public sealed class TicketDeskTests
{
    static readonly CancellationToken None = CancellationToken.None;
    // Monday 23 November 2026, 10:00 UTC: the desk (UTC, Mon-Fri 08:00-17:00) is open.
    static readonly DateTimeOffset Monday10 = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    static readonly Person Sam = new("user-1", "Sam");
    static readonly Person Other = new("user-2", "Kim");

    readonly Mock<ITicketStore> store = new(MockBehavior.Strict);
    readonly FakeTimeProvider clock = new(Monday10);
    readonly TicketDesk desk;
    TicketChange? applied;

    public TicketDeskTests() =>
        desk = new TicketDesk(store.Object, new KnowledgeBase(null!, NullLogger<KnowledgeBase>.Instance), new SupportHours(new SupportOptions()), clock);

    static Ticket Sample(TicketStatus status = TicketStatus.New, string requester = "user-1") => new()
    {
        Number = 1042,
        Title = "Printer jammed",
        Problem = "printer jammed",
        Requester = new Person(requester),
        Urgency = Urgency.Normal,
        UrgencyReason = "test",
        Category = "printing",
        Status = status,
        CreatedAt = Monday10.AddDays(-1),
        FirstResponseDueAt = Monday10,
    };

    // Files through the mock: the desk's create function builds ticket 1042.
    async Task<Ticket> FileAsync(string problem, Urgency urgency = Urgency.Normal, Person? requester = null)
    {
        store.Setup(s => s.FileAsync("conv|act", It.IsAny<Func<int, Ticket>>(), None))
            .ReturnsAsync((string _, Func<int, Ticket> create, CancellationToken _) => new FiledTicket(create(1042), true));
        var triage = new TriageResult(urgency, false, "hardware", 0.9, ["test"]);
        var filed = await desk.FileAsync(new TicketRequest("conv|act", problem, requester ?? Sam, triage, urgency, false), None);
        return filed.Ticket;
    }

    // The store applies the desk's change function to this ticket, as TableTicketStore does to the latest state.
    void StoreHolds(Ticket ticket) =>
        store.Setup(s => s.UpdateAsync(ticket.Number, It.IsAny<Func<Ticket, TicketChange?>>(), None))
            .ReturnsAsync((int _, Func<Ticket, TicketChange?> change, CancellationToken _) =>
            {
                applied = change(ticket);
                return new UpdateResult(applied?.Updated ?? ticket, applied is not null);
            });

    [Fact]
    public async Task Filing_takes_the_title_from_a_chatty_message_and_keeps_the_problem_as_typed()
    {
        var t = await FileAsync("Hi there, sorry to bother you. The scanner shows a red light. Can you help?");

        Assert.Equal(1042, t.Number);
        Assert.Equal("The scanner shows a red light", t.Title);
        Assert.Equal("Hi there, sorry to bother you. The scanner shows a red light. Can you help?", t.Problem);
        Assert.False(t.ProblemCut);
        Assert.Equal(Monday10, t.CreatedAt);
        Assert.Equal(Sam, t.Requester);
    }

    [Fact]
    public async Task A_problem_over_4000_characters_is_cut_and_marked()
    {
        var t = await FileAsync("The scanner is broken. " + new string('x', 5_000));

        Assert.Equal(TicketLimits.ProblemChars, t.Problem.Length);
        Assert.True(t.ProblemCut);
    }

    [Fact]
    public async Task An_emergency_without_a_place_asks_for_the_location()
    {
        var t = await FileAsync("Nothing works and my class starts now", Urgency.Emergency);

        Assert.True(t.AskForLocation);
        Assert.Null(t.Location);
    }

    [Fact]
    public async Task A_place_in_the_text_is_the_location_and_nothing_is_asked()
    {
        var t = await FileAsync("The projector in room 12 shows no signal and class starts now", Urgency.Emergency);

        Assert.Equal("room 12", t.Location);
        Assert.False(t.AskForLocation);
    }

    [Fact]
    public async Task An_office_location_from_the_profile_means_no_question()
    {
        var t = await FileAsync("Nothing works and my class starts now", Urgency.Emergency, Sam with { OfficeLocation = "B12" });

        Assert.False(t.AskForLocation);
    }

    [Theory]
    [InlineData(Urgency.Normal, 0, 24, 10, 0)]      // 1 business day (9 support hours) from Monday 10:00
    [InlineData(Urgency.Emergency, 0, 23, 10, 15)]  // 15 minutes
    [InlineData(Urgency.Normal, 12, 24, 17, 0)]     // Monday 22:00, closed: from Tuesday 08:00
    [InlineData(Urgency.Emergency, 12, 23, 22, 15)] // Monday 22:00: emergencies count wall-clock time
    public async Task The_first_response_is_due_by_the_target_for_its_urgency(Urgency urgency, int hoursLater, int day, int hour, int minute)
    {
        clock.Advance(TimeSpan.FromHours(hoursLater));

        var t = await FileAsync("The scanner shows a red light", urgency);

        Assert.Equal(new DateTimeOffset(2026, 11, day, hour, minute, 0, TimeSpan.Zero), t.FirstResponseDueAt);
    }

    [Fact]
    public async Task Details_on_someone_elses_ticket_are_not_found_and_change_nothing()
    {
        StoreHolds(Sample());

        var result = await desk.AddDetailsAsync(1042, Other, "it also smells of smoke", None);

        Assert.Equal(ChangeOutcome.NotFound, result.Outcome);
        Assert.Null(result.Ticket);
        Assert.Null(applied);
    }

    [Fact]
    public async Task Details_on_a_ticket_waiting_for_the_requester_move_it_back_to_in_progress()
    {
        StoreHolds(Sample(TicketStatus.WaitingOnRequester));

        var result = await desk.AddDetailsAsync(1042, Sam, "  The error says E42.  ", None);

        Assert.Equal(ChangeOutcome.Done, result.Outcome);
        Assert.Equal(TicketStatus.InProgress, applied!.Updated.Status);
        var e = Assert.Single(applied.Events);
        Assert.Equal(TicketEventKind.RequesterDetails, e.Kind);
        Assert.Equal("The error says E42.", e.Text);
        Assert.Equal("user-1", e.ById);
        Assert.Null(result.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n ")]
    public async Task Empty_details_are_refused_without_touching_the_store(string? details)
    {
        var result = await desk.AddDetailsAsync(1042, Sam, details, None);

        Assert.Equal(ChangeOutcome.NotAllowed, result.Outcome);
        Assert.NotNull(result.Message);
        store.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task A_note_over_2000_characters_is_cut_and_the_requester_is_told()
    {
        StoreHolds(Sample(TicketStatus.InProgress));

        var result = await desk.AddDetailsAsync(1042, Sam, new string('y', 2_500), None);

        Assert.Equal(ChangeOutcome.Done, result.Outcome);
        Assert.Equal(TicketLimits.NoteChars, Assert.Single(applied!.Events).Text!.Length);
        Assert.Equal("Your note was long, so I kept the first 2,000 characters.", result.Message);
    }

    [Fact]
    public async Task Cancelling_a_resolved_ticket_is_refused()
    {
        StoreHolds(Sample(TicketStatus.Resolved));

        var result = await desk.CancelAsync(1042, Sam, None);

        Assert.Equal(ChangeOutcome.NotAllowed, result.Outcome);
        Assert.Equal("This ticket is already resolved.", result.Message);
        Assert.Null(applied);
    }

    [Fact]
    public async Task Cancelling_an_open_ticket_closes_it_now()
    {
        StoreHolds(Sample(TicketStatus.InProgress));

        var result = await desk.CancelAsync(1042, Sam, None);

        Assert.Equal(ChangeOutcome.Done, result.Outcome);
        Assert.Equal(TicketStatus.Cancelled, applied!.Updated.Status);
        Assert.Equal(Monday10, applied.Updated.ClosedAt);
    }

    [Fact]
    public async Task Reopening_a_resolved_ticket_puts_it_back_in_progress()
    {
        StoreHolds(Sample(TicketStatus.Resolved) with { ResolvedAt = Monday10 });

        var result = await desk.ReopenAsync(1042, Sam, None);

        Assert.Equal(ChangeOutcome.Done, result.Outcome);
        Assert.Equal(TicketStatus.InProgress, applied!.Updated.Status);
        Assert.Null(applied.Updated.ResolvedAt);
        Assert.Equal(TicketEventKind.Reopened, Assert.Single(applied.Events).Kind);
    }

    [Theory]
    [InlineData(TicketStatus.New)]
    [InlineData(TicketStatus.InProgress)]
    [InlineData(TicketStatus.WaitingOnRequester)]
    [InlineData(TicketStatus.Closed)]
    [InlineData(TicketStatus.Cancelled)]
    public async Task Only_a_resolved_ticket_can_be_reopened(TicketStatus status)
    {
        StoreHolds(Sample(status));

        var result = await desk.ReopenAsync(1042, Sam, None);

        Assert.Equal(ChangeOutcome.NotAllowed, result.Outcome);
        Assert.Null(applied);
    }

    [Fact]
    public async Task Finding_a_ticket_for_another_requester_gives_nothing()
    {
        store.Setup(s => s.GetAsync(1042, None)).ReturnsAsync(Sample());

        Assert.Null(await desk.FindForRequesterAsync(1042, "user-2", None));
        Assert.NotNull(await desk.FindForRequesterAsync(1042, "user-1", None));
    }

    [Fact]
    public async Task My_tickets_lists_the_open_ones_and_the_five_most_recently_closed()
    {
        TicketSummary Row(int n, TicketStatus s, int hoursAgo) => TicketSummary.Of(Sample(s) with { Number = n, UpdatedAt = Monday10.AddHours(-hoursAgo) });
        store.Setup(s => s.ListByRequesterAsync("user-1", None)).ReturnsAsync(
        [
            Row(1, TicketStatus.Closed, 1), Row(2, TicketStatus.New, 50), Row(3, TicketStatus.Resolved, 7), Row(4, TicketStatus.Cancelled, 2),
            Row(5, TicketStatus.WaitingOnRequester, 3), Row(6, TicketStatus.Closed, 9), Row(7, TicketStatus.Resolved, 4), Row(8, TicketStatus.Closed, 8),
        ]);

        var mine = await desk.ListForRequesterAsync("user-1", None);

        Assert.Equal([2, 5], mine.Open.Select(t => t.Number));
        Assert.Equal([1, 4, 7, 3, 8], mine.RecentlyClosed.Select(t => t.Number));
    }
}
