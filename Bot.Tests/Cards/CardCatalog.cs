using SupportBot.Cards;
using SupportBot.Conversations;
using SupportBot.Knowledge;
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
        yield return ("request-emergency", RequestReceivedCard.Create("the projector in room 12 shows no signal and class is waiting", "user-id-0", Urgency.Emergency, ask: false, policy));
        yield return ("request-normal", RequestReceivedCard.Create("need a new mouse", "user-id-0", Urgency.Normal, ask: false, policy));
        yield return ("request-ask", RequestReceivedCard.Create("projector not working", "user-id-0", Urgency.Emergency, ask: true, policy));
        yield return ("request-checked", RequestReceivedCard.Create(new string('x', 2000), "user-id-0", Urgency.Normal, ask: false, policy, 3));

        var articles = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory);
        foreach (var article in articles)
        {
            yield return ($"kb-article-{article.Id}", KnowledgeCards.Single(article));
            yield return ($"kb-suggest-{article.Id}", KnowledgeCards.Suggestions([article], "s-1"));
            yield return ($"kb-fixed-{article.Id}", KnowledgeCards.FixedIt(article));
        }
        // The largest articles together: the worst case for size.
        var largest = articles.OrderByDescending(a => a.Body.Length).Take(3).ToList();
        yield return ("kb-suggest-largest-three", KnowledgeCards.Suggestions(largest, "s-2"));
    }
}
