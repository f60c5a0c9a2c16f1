using SupportBot.Knowledge;

namespace SupportBot.Tests.Knowledge;

// Articles a technician published from a ticket, which nobody has asked for yet: no examples name them and the text
// models never learnt them, so only the search's own evidence can find them.
public sealed class PublishedArticlesFixture : IDisposable
{
    static readonly ResolvedTicket[] Tickets =
    [
        new("4101", "The laminator in the staff room jams every pouch halfway through.",
            "Switch the laminator off at the wall\nLet it cool for ten minutes\nPull out the stuck pouch from the back", "other", "tech-1",
            "Laminator in the staff room jams every pouch"),
        new("4102", "The franking machine in reception shows error E12 and will not frank any letters.",
            "Open the ink door and reseat the ink cartridge\nClose the door and wait for the self-test\nRun one test envelope", "other", "tech-1",
            "Franking machine in reception shows error E12"),
    ];

    public KnowledgeIndex Index { get; } = KnowledgeFiles.BuildIndex(ArticleParser.LoadFolder(KnowledgeFiles.ArticleDirectory)
        .Concat(Tickets.Select(t => PublishedArticleStore.ToArticle(PublishedArticleStore.DraftOf(t), new DateOnly(2026, 12, 1)))));

    public void Dispose() => Index.Dispose();
}

public sealed class PublishedArticleSearchTests(PublishedArticlesFixture fixture) : IClassFixture<PublishedArticlesFixture>
{
    // CI 2026-12-07: a relearnt ranker showed nothing for the first message (and the old one for the third), because
    // the answer step believed the text models, which had never seen a laminator.
    [Theory]
    [InlineData("the laminator in the staff room jams every pouch, no rush", "ticket-4101")]
    [InlineData("hi, the laminator in the staff room keeps jamming every pouch, thanks", "ticket-4101")]
    [InlineData("sorry to bother you but the laminator in the staff room jams every pouch", "ticket-4101")]
    [InlineData("franking machine in reception showing E12 again, can someone look", "ticket-4102")]
    public void A_chatty_message_finds_an_article_published_from_a_ticket(string message, string expected) =>
        Assert.Contains(fixture.Index.Search(message), h => h.Article.Id == expected);

    [Theory]
    [InlineData("what's for lunch")]
    [InlineData("when is the staff party")]
    [InlineData("who do I ask about my payslip")]
    [InlineData("the staff room fridge smells, can someone clear it out")]
    public void Messages_no_article_answers_still_get_nothing_beside_published_articles(string message) =>
        Assert.Empty(fixture.Index.Search(message));
}
