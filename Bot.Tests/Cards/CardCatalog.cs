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
        yield return ("request-received", RequestReceivedCard.Create("the projector in room 12 shows no signal", "user-id-0"));
        yield return ("request-checked", RequestReceivedCard.Create(new string('x', 2000), "user-id-0", 3));

        var articles = ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory);
        foreach (var article in articles)
        {
            yield return ($"kb-article-{article.Id}", KnowledgeCards.Single(article));
            yield return ($"kb-suggest-{article.Id}", KnowledgeCards.Suggestions([article], "user-id-0", "s-1"));
        }
        // The largest articles together: the worst case for size.
        var largest = articles.OrderByDescending(a => a.Body.Length).Take(3).ToList();
        yield return ("kb-suggest-largest-three", KnowledgeCards.Suggestions(largest, "user-id-0", "s-2"));
    }
}
