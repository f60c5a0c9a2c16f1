using SupportBot.Cards;
using SupportBot.Outcomes;
using SupportBot.Surveys;
using SupportBot.Tickets;

namespace SupportBot.Tests.Cards;

// The poll in each of its states, the technicians' card with feedback, and the stats card with realistic and extreme data.
public static class SurveyCardSamples
{
    static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static PollRecord Poll(string? title = null) => PollRecord.For(TicketCardSamples.Ticket(TicketStatus.Resolved, title: title) with
    {
        ResolvedAt = Now,
        History = [.. TicketCardSamples.Ticket().History, new TicketEvent(4, Now, "user-id-1", "Megan Bowen", TicketEventKind.Resolved, "Resolved", "Replaced the HDMI cable.")],
    }, 4, Now);

    public static IEnumerable<(string Name, AdaptiveCard Card)> All()
    {
        var poll = Poll();
        yield return ("poll-ask", PollCards.Ask(poll));
        yield return ("poll-reminder", PollCards.Ask(poll, reminder: true));
        yield return ("poll-ask-extreme", PollCards.Ask(Poll(string.Concat(Enumerable.Repeat("😀 ünïcødé \"quoted\" ", 30))) with { Ticket = int.MaxValue }));
        yield return ("poll-thanks", PollCards.Answered(poll with { Rating = 4, RatedAt = Now }));
        yield return ("poll-thanks-all-answered", PollCards.Answered(poll with { Rating = 2, FirstTimeFix = false, Comment = "It took three visits before the projector worked again." }));
        yield return ("poll-thanks-extreme", PollCards.Answered(poll with { Rating = 1, FirstTimeFix = true, Comment = new string('c', PollCards.CommentChars) },
            notice: "You already answered this poll (you said Very dissatisfied), so nothing was changed."));
        yield return ("poll-not-fixed", PollCards.Answered(poll with { NotFixedAt = Now }));

        var hours = new SupportHours(new SupportOptions());
        var rated = TicketCardSamples.Ticket(TicketStatus.InProgress) with
        {
            History = [.. TicketCardSamples.Ticket().History,
                new TicketEvent(4, Now, "user-id-1", "Megan Bowen", TicketEventKind.Resolved, "Resolved", "Replaced the HDMI cable."),
                new TicketEvent(5, Now, "user-id-0", "Alex Wilber", TicketEventKind.Feedback, "Satisfaction: 2 of 5 (Dissatisfied)", null, "poll|1042|4|rating"),
                new TicketEvent(6, Now, "user-id-0", "Alex Wilber", TicketEventKind.Feedback, "Comment from the satisfaction poll", "Still flickers", "poll|1042|4|comment"),
                new TicketEvent(7, Now, "user-id-0", "Alex Wilber", TicketEventKind.Feedback, "Not fixed, said the requester in the satisfaction poll", null, "poll|1042|4|not-fixed"),
                new TicketEvent(8, Now, "user-id-0", "Alex Wilber", TicketEventKind.Reopened, "Reopened by the requester")],
        };
        yield return ("tech-low-rating", SupportBot.Technicians.TechnicianCard.Create(rated, hours, Now, withActions: false, ["user-id-0"]));

        yield return ("stats", StatsCard.Create(Tests.Outcomes.OutcomeFiguresTests.Report with
        {
            KnowledgeGaps = [new KnowledgeGap("Smartboard pen not writing", 7, [1101, 1104, 1109, 1112, 1120, 1121, 1130], 1109, NoneOffered: false),
                new KnowledgeGap("Laminator jammed with a pouch stuck inside", 4, [1102, 1105, 1111, 1117], 1105, NoneOffered: true)],
            WeakArticles = [new WeakArticle("projector-no-signal", 42, 17, 2), new WeakArticle("printer-offline", 30, 0, 1)],
        }));
        yield return ("stats-empty", StatsCard.Create(OutcomeReports.Compute(OutcomeWindow.LastDays(7, Now), [], [], [], new Sla(hours))));
        var figures = Tests.Outcomes.OutcomeFiguresTests.Report.Overall with { Opened = 1_234_567, Resolved = 1_234_000, MedianResolution = TimeSpan.FromDays(400) };
        yield return ("stats-extreme", StatsCard.Create(new OutcomeReport(OutcomeWindow.LastDays(366, Now), figures,
            [.. Enumerable.Range(0, 60).Select(i => new OutcomeGroup(new string('c', 200) + i, figures))],
            [.. Enumerable.Range(0, 60).Select(i => new OutcomeGroup("😀 ünïcødé \"quoted\" " + new string('t', 200), figures))],
            [.. Enumerable.Range(0, 5).Select(i => new FrequentRequester($"29:{i}", new string('N', 200), 999,
                [.. Enumerable.Range(0, 20).Select(c => new CategoryCount(new string('k', 100), 50))]))])
        {
            KnowledgeGaps = [.. Enumerable.Range(0, KnowledgeGaps.Shown).Select(i => new KnowledgeGap(new string('g', 70), 300, [.. Enumerable.Range(1, 300)], int.MaxValue, i % 2 == 0))],
            WeakArticles = [.. Enumerable.Range(0, KnowledgeGaps.Shown).Select(i => new WeakArticle(new string('a', 80), long.MaxValue, long.MaxValue, 0))],
        }));
    }
}
