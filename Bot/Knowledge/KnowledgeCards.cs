using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using SupportBot.Cards;

namespace SupportBot.Knowledge;

public static class KnowledgeVerbs
{
    public const string Fixed = "kb.fixed";
    public const string StillNeedHelp = "kb.needHelp";
    public const string ShowSteps = "kb.steps";
    public const string WalkThrough = "kb.walk";
    public const string WalkNext = "kb.walk.next";
    public const string WalkFixed = "kb.walk.fixed";
    public const string WalkStillBroken = "kb.walk.stuck";

}

// Card data for the article buttons: only which card and which article. Who may answer it, and what was asked,
// the bot looks up from its own record of the suggestion.
public sealed record ArticleVoteData(string SuggestionId, string? ArticleId = null);

public static class KnowledgeCards
{
    public const int MaxCardBytes = 28 * 1024;

    // The top articles for a request, each by its title with its own "This fixed it". The steps are a server round-trip
    // away ("Show steps" updates this card with them open), so an article counts as read only when it was opened.
    // waitingTicket: the emergency ticket already filed; the articles are something to try while a technician comes.
    public static AdaptiveCard Suggestions(IReadOnlyList<Article> articles, string suggestionId, string? openArticleId = null, int? waitingTicket = null)
    {
        var body = new List<CardElement>
        {
            new TextBlock(waitingTicket is null ? articles.Count == 1 ? "This might fix it" : "One of these might fix it" : "While you wait, try this")
                { Size = "Medium", Weight = "Bolder" },
            new TextBlock(waitingTicket is { } number
                    ? $"I've filed this as #{number} and alerted a technician. This often fixes it in a minute or two; if it does, press That fixed it and I'll tell them."
                    : "Open the steps and try them. If they don't help, I'll pass it to a technician.")
                { IsSubtle = true, Spacing = "None" },
        };
        foreach (var article in articles)
        {
            var open = article.Id == openArticleId;
            body.Add(new Container(
            [
                new TextBlock(article.Title) { Weight = "Bolder" },
                .. open ? Render(article.Body) : [],
                new ActionSet(ArticleActions(article, suggestionId, open)),
            ]) { Separator = true, Spacing = "Medium" });
        }
        return new AdaptiveCard
        {
            Body = body,
            Actions = [new ActionExecute(waitingTicket is null ? "I still need help" : "Still not working", KnowledgeVerbs.StillNeedHelp, new ArticleVoteData(suggestionId))],
            FallbackText = "Suggested help articles: " + string.Join(", ", articles.Select(a => a.Title)),
        };
    }

    static List<CardAction> ArticleActions(Article article, string suggestionId, bool open)
    {
        var vote = new ArticleVoteData(suggestionId, article.Id);
        var actions = new List<CardAction>();
        if (!open)
            actions.Add(new ActionExecute("Show steps", KnowledgeVerbs.ShowSteps, vote));
        actions.Add(new ActionExecute("This fixed it", KnowledgeVerbs.Fixed, vote) { Style = "positive" });
        if (ArticleSteps.Of(article).Count > 0)
            actions.Add(new ActionExecute("Walk me through it", KnowledgeVerbs.WalkThrough, vote));
        return actions;
    }

    // closedTicket: the emergency ticket this closed, so the technician on the way could stand down.
    public static AdaptiveCard FixedIt(Article article, int? closedTicket = null) => new()
    {
        Body =
        [
            new TextBlock("Glad that fixed it!") { Size = "Medium", Weight = "Bolder" },
            new TextBlock(closedTicket is { } number
                ? $"\"{article.Title}\" helped, so I've closed ticket #{number} and told the technician they're not needed. Message me any time something else comes up."
                : $"\"{article.Title}\" helped, so no ticket was needed. Message me any time something else comes up."),
        ],
    };

    // One article on its own (e.g. to preview a draft before publishing).
    public static AdaptiveCard Single(Article article) => new()
    {
        Body = [new TextBlock(article.Title) { Size = "Medium", Weight = "Bolder" }, .. Render(article.Body)],
    };

    // Markdown to TextBlocks Teams renders: headings in bold, paragraphs, and lists kept as markdown lists.
    public static IReadOnlyList<CardElement> Render(string markdown)
    {
        var elements = new List<CardElement>();
        foreach (var block in Markdown.Parse(markdown))
        {
            switch (block)
            {
                case HeadingBlock heading:
                    elements.Add(new TextBlock(Inline(heading.Inline)) { Weight = "Bolder", Spacing = "Medium" });
                    break;
                case ParagraphBlock paragraph:
                    elements.Add(new TextBlock(Inline(paragraph.Inline)));
                    break;
                case ListBlock list:
                    var n = int.TryParse(list.OrderedStart, out var start) ? start : 1;
                    var lines = list.OfType<ListItemBlock>().Select((item, i) =>
                        (list.IsOrdered ? $"{n + i}. " : "- ") +
                        string.Join(" ", item.OfType<ParagraphBlock>().Select(p => Inline(p.Inline))));
                    elements.Add(new TextBlock(string.Join("\r", lines)) { Spacing = "Small" });
                    break;
            }
        }
        return elements;
    }

    internal static string Inline(ContainerInline? inline)
    {
        if (inline is null) return "";
        var text = new System.Text.StringBuilder();
        foreach (var node in inline)
            text.Append(node switch
            {
                LiteralInline literal => literal.Content.ToString(),
                EmphasisInline emphasis => emphasis.DelimiterCount >= 2 ? $"**{Inline(emphasis)}**" : $"_{Inline(emphasis)}_",
                CodeInline code => code.Content,
                LinkInline link => Inline(link),
                LineBreakInline => " ",
                ContainerInline container => Inline(container),
                _ => "",
            });
        return text.ToString();
    }
}
