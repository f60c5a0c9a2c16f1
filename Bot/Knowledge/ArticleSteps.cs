using System.Runtime.CompilerServices;
using Markdig;
using Markdig.Syntax;

namespace SupportBot.Knowledge;

// The steps a walkthrough goes through: the numbered list under an article's "## Steps" heading (or, for an article
// without one, such as one published from a ticket, its first numbered list), each item as the card shows it.
public static class ArticleSteps
{
    public const int MaxSteps = 20;

    // Parsed once per article: every suggestion card asks (for its "Walk me through it" button). Keyed by the
    // instance, not record equality, and weakly, so a published edit (a new Article) is parsed afresh and the old
    // one's entry goes with it.
    static readonly ConditionalWeakTable<Article, IReadOnlyList<string>> Parsed = new();

    public static IReadOnlyList<string> Of(Article article) => Parsed.GetValue(article, Parse);

    static IReadOnlyList<string> Parse(Article article)
    {
        var blocks = Markdown.Parse(article.Body).ToList();
        var afterHeading = blocks.FindIndex(b => b is HeadingBlock h && KnowledgeCards.Inline(h.Inline).Trim().Equals("Steps", StringComparison.OrdinalIgnoreCase));
        var list = blocks.Skip(afterHeading + 1).TakeWhile(b => afterHeading < 0 || b is not HeadingBlock).OfType<ListBlock>().FirstOrDefault(l => l.IsOrdered)
            ?? blocks.OfType<ListBlock>().FirstOrDefault(l => l.IsOrdered);
        if (list is null) return [];
        return list.OfType<ListItemBlock>()
            .Select(item => string.Join(" ", item.OfType<ParagraphBlock>().Select(p => KnowledgeCards.Inline(p.Inline))).Trim())
            .Where(step => step.Length > 0)
            .Take(MaxSteps)
            .ToList();
    }
}
