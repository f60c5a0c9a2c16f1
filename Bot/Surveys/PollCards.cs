using SupportBot.Cards;

namespace SupportBot.Surveys;

// The one-question poll and what it becomes after each click (the invoke response replaces the card in place).
public static class PollCards
{
    public const string Question = "How satisfied were you with the support provided by IT?";
    public const string FirstTimeFixQuestion = "Was it fixed right the first time, with no rework?";
    public const int CommentChars = 1_000;

    public static AdaptiveCard Ask(PollRecord poll, bool reminder = false)
    {
        var data = Data(poll);
        return new AdaptiveCard
        {
            Body =
            [
                new TextBlock(reminder ? $"A quick reminder about ticket #{poll.Ticket}" : $"Ticket #{poll.Ticket} is resolved") { Size = "Medium", Weight = "Bolder" },
                new TextBlock(poll.TicketTitle.Shorten(120)) { IsSubtle = true, Spacing = "None" },
                new TextBlock(Question) { Weight = "Bolder", Spacing = "Medium" },
                new TextBlock("One click is enough.") { IsSubtle = true, Size = "Small", Spacing = "None" },
                // One button a line: five worded answers never fit side by side on a phone.
                .. Enumerable.Range(Ratings.Lowest, Ratings.Highest).Select(r => (CardElement)new ActionSet(
                    [new ActionExecute($"{Ratings.Emoji(r)} {Ratings.InWords(r)}", PollVerbs.Rate, data with { Rating = r })]) { Spacing = "Small" }),
                new ActionSet([new ActionExecute("It's not fixed", PollVerbs.NotFixed, data) { Style = "destructive" }]) { Separator = true },
            ],
            FallbackText = $"Ticket #{poll.Ticket} is resolved. {Question}",
        };
    }

    // After the first click: thanks, and the optional follow-ups that are still unanswered.
    public static AdaptiveCard Answered(PollRecord poll, string? notice = null)
    {
        var data = Data(poll);
        var body = new List<CardElement>();
        if (notice is not null) body.Add(new TextBlock(notice) { Color = "Warning", Weight = "Bolder" });
        if (poll.NotFixedAt is not null)
        {
            body.Add(new TextBlock("Sorry it's still not fixed") { Size = "Medium", Weight = "Bolder" });
            body.Add(new TextBlock($"I've reopened ticket #{poll.Ticket} and told the technicians. You'll hear from them here."));
            return new AdaptiveCard { Body = body, FallbackText = $"Ticket #{poll.Ticket} reopened" };
        }

        body.Add(new TextBlock("Thank you!") { Size = "Medium", Weight = "Bolder", Color = "Good" });
        body.Add(new TextBlock($"Ticket #{poll.Ticket}: you said {Ratings.Emoji(poll.Rating ?? 0)} {Ratings.InWords(poll.Rating ?? 0)}.") { Spacing = "None" });
        if (poll.FirstTimeFix is { } firstTime)
            body.Add(new TextBlock($"{FirstTimeFixQuestion} You said: {(firstTime ? "Yes" : "No")}.") { IsSubtle = true });
        else
        {
            body.Add(new TextBlock(FirstTimeFixQuestion + " (optional)") { Separator = true, Spacing = "Medium" });
            body.Add(new ActionSet([
                new ActionExecute("Yes", PollVerbs.FirstTimeFix, data with { Fixed = "yes" }),
                new ActionExecute("No", PollVerbs.FirstTimeFix, data with { Fixed = "no" }),
            ]));
        }
        if (poll.Comment is { } comment)
            body.Add(new TextBlock($"Your comment: \"{comment.Shorten(300)}\"") { IsSubtle = true });
        else
        {
            body.Add(new InputText { Id = "comment", Label = "Anything to add? (optional)", IsMultiline = true, MaxLength = CommentChars, Separator = true });
            body.Add(new ActionSet([new ActionExecute("Send comment", PollVerbs.Comment, data)]));
        }
        body.Add(new ActionSet([new ActionExecute("It's not fixed", PollVerbs.NotFixed, data) { Style = "destructive" }]) { Separator = true });
        return new AdaptiveCard { Body = body, FallbackText = $"Thank you for rating ticket #{poll.Ticket}" };
    }

    // The line on the technicians' card: what the requester said about the latest resolution, in red when it went badly.
    public static TextBlock? ForTechnicians(Tickets.Ticket t)
    {
        var since = t.History.LastOrDefault(e => e.Kind == Tickets.TicketEventKind.Resolved)?.Seq ?? 0;
        var feedback = t.History.Where(e => e.Kind == Tickets.TicketEventKind.Feedback && e.Seq > since).ToList();
        if (feedback.Count == 0) return null;
        var bad = feedback.Any(e => e.ChangeId?.EndsWith("|not-fixed", StringComparison.Ordinal) == true || e.ChangeId?.EndsWith("|first-time", StringComparison.Ordinal) == true
            || e.Summary.StartsWith("Satisfaction: 1", StringComparison.Ordinal) || e.Summary.StartsWith("Satisfaction: 2", StringComparison.Ordinal));
        return new TextBlock("Requester feedback: " + string.Join(" · ", feedback.Select(e => e.Text is null ? e.Summary : $"\"{e.Text.Shorten(200)}\"")))
            { Weight = "Bolder", Color = bad ? "Attention" : "Good", Spacing = "Small" };
    }

    static PollActionData Data(PollRecord poll) => new(poll.Ticket, poll.Resolution);
}
