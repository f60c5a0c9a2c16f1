using SupportBot.Cards;
using SupportBot.Conversations;
using SupportBot.Knowledge;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Cards;

// Every card the bot can send, in each of its states, with sample data. Add new cards here.
public static class CardCatalog
{
    public static IEnumerable<(string Name, AdaptiveCard Card)> All()
    {
        yield return ("welcome", WelcomeCards.Welcome("Alex Wilber", new EmergencyPolicy()));
        yield return ("welcome-no-name", WelcomeCards.Welcome(null, new EmergencyPolicy()));
        var policy = new EmergencyPolicy();
        yield return ("help", WelcomeCards.Help(policy));
        yield return ("help-technician", WelcomeCards.Help(policy, forTechnician: true));
        yield return ("welcome-technicians", WelcomeCards.ForTechnicians());
        yield return ("urgency-question", IntakeCards.UrgencyQuestion("conv|act-1", "projector not working", policy));
        yield return ("urgency-question-long", IntakeCards.UrgencyQuestion("conv|act-2", new string('x', 4000), policy));
        yield return ("not-saved-yet", IntakeCards.NotSavedYet("the printer in room 4 is jammed", "act-1"));
        yield return ("not-saved-yet-extreme", IntakeCards.NotSavedYet(string.Concat(Enumerable.Repeat("😀 ünïcødé \"quoted\" ", 1000)), "act-2"));
        foreach (var (name, card) in TicketCardSamples.All()) yield return (name, card);
        foreach (var (name, card) in IncidentCardSamples.All()) yield return (name, card);
        foreach (var (name, card) in SurveyCardSamples.All()) yield return (name, card);

        var articles = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory);
        foreach (var article in articles)
        {
            yield return ($"kb-article-{article.Id}", KnowledgeCards.Single(article));
            yield return ($"kb-suggest-{article.Id}", KnowledgeCards.Suggestions([article], "s-1"));
            yield return ($"kb-suggest-open-{article.Id}", KnowledgeCards.Suggestions([article], "s-1", article.Id));
            yield return ($"kb-fixed-{article.Id}", KnowledgeCards.FixedIt(article));
            var steps = ArticleSteps.Of(article);
            yield return ($"kb-walk-first-{article.Id}", WalkthroughCards.Step(article, steps, 1, "s-1"));
            yield return ($"kb-walk-last-{article.Id}", WalkthroughCards.Step(article, steps, steps.Count, "s-1"));
        }
        var noSignal = articles.Single(a => a.Id == "projector-no-signal");
        yield return ("kb-walk-step", WalkthroughCards.Step(noSignal, ArticleSteps.Of(noSignal), 2, "s-1"));
        // The longest title and step a card may hold (steps are capped at ArticleSteps.MaxSteps).
        var extremeSteps = Enumerable.Range(1, ArticleSteps.MaxSteps).Select(i => string.Concat(Enumerable.Repeat($"😀 ünïcødé **step {i}** \"quoted\" ", 60))).ToList();
        yield return ("kb-walk-extreme", WalkthroughCards.Step(noSignal with { Title = new string('T', 200) }, extremeSteps, ArticleSteps.MaxSteps - 1, new string('s', 200)));
        // The largest articles together: the worst case for size.
        var largest = articles.OrderByDescending(a => a.Body.Length).Take(3).ToList();
        yield return ("kb-suggest-largest-three", KnowledgeCards.Suggestions(largest, "s-2"));
        // After "Show steps" on the largest, with the other two still closed.
        yield return ("kb-suggest-largest-three-open", KnowledgeCards.Suggestions(largest, "s-2", largest[0].Id));
        yield return ("kb-while-you-wait", KnowledgeCards.Suggestions(largest.Take(2).ToList(), "s-3", waitingTicket: 123456));
        yield return ("kb-while-you-wait-open", KnowledgeCards.Suggestions(largest, "s-3", largest[0].Id, waitingTicket: 123456));
        yield return ("kb-fixed-while-waiting", KnowledgeCards.FixedIt(largest[0], closedTicket: 123456));
    }
}
