using SupportBot.Knowledge;
using SupportBot.Protocol;

namespace SupportBot.Conversations;

// "Walk me through it": one step of a suggested article at a time, on the card that was pressed. Who may press, which
// article and which step are read from storage, never from the card. The end of a walkthrough is the suggestion's
// answer: "That fixed it" counts a deflection as "This fixed it" does; "Still not working" files the request with
// the steps tried. Opening an article's steps, here or with "Show steps" on the suggestion card, counts it as read.
public sealed class GuidedWalkthrough(KnowledgeBase knowledge, ArticleFeedbackStore feedback, WalkthroughStore walkthroughs, Intake intake)
{
    public async Task<IntakeAnswer> StartAsync(TurnContext turn, ArticleVoteData vote, CancellationToken ct)
    {
        var suggestion = await feedback.GetSuggestionAsync(vote.SuggestionId, ct);
        if (suggestion is null || vote.ArticleId is not { } articleId || !suggestion.ArticleIds.Contains(articleId))
            return IntakeAnswer.Refused(Intake.BadCardData);
        if (suggestion.RequesterId != turn.Activity.From!.Id) return IntakeAnswer.Refused(Intake.NotYours);
        if (suggestion.Outcome is not null) return await AnsweredAsync(turn, vote.SuggestionId, ct);
        if (knowledge.Find(articleId) is not { } article || ArticleSteps.Of(article) is not { Count: > 0 } steps)
            return IntakeAnswer.Refused(Intake.BadCardData);

        var state = await walkthroughs.StartAsync(vote.SuggestionId, suggestion.RequesterId, article.Id, steps.Count, ct);
        await feedback.RecordReadAsync(vote.SuggestionId, suggestion.RequesterId, article.Id, ct);
        return StepCard(state);
    }

    // "Show steps": the suggestion card again, in place, with that article open.
    public async Task<IntakeAnswer> ShowStepsAsync(TurnContext turn, ArticleVoteData vote, CancellationToken ct)
    {
        if (vote.ArticleId is not { } articleId) return IntakeAnswer.Refused(Intake.BadCardData);
        var read = await feedback.RecordReadAsync(vote.SuggestionId, turn.Activity.From!.Id!, articleId, ct);
        switch (read.Outcome)
        {
            case VoteOutcome.NotFound or VoteOutcome.NotOffered:
                return IntakeAnswer.Refused(Intake.BadCardData);
            case VoteOutcome.NotYours:
                return IntakeAnswer.Refused(Intake.NotYours);
            case VoteOutcome.AlreadyAnswered:
                return await AnsweredAsync(turn, vote.SuggestionId, ct);
        }
        var articles = read.Offered.Select(knowledge.Find).OfType<Article>().ToList();
        return articles.Count == 0
            ? IntakeAnswer.Refused(Intake.BadCardData)
            : new IntakeAnswer(KnowledgeCards.Suggestions(articles, vote.SuggestionId, articleId, read.Ticket));
    }

    public async Task<IntakeAnswer> NextAsync(TurnContext turn, WalkthroughStepData data, CancellationToken ct)
    {
        if ((await CheckAsync(turn, data, ct)).Stop is { } refusedOrAnswered) return refusedOrAnswered;
        var state = await walkthroughs.AdvanceAsync(data.SuggestionId, data.Step, ct);
        return state is null ? IntakeAnswer.Refused(Intake.BadCardData) : StepCard(state);
    }

    public async Task<IntakeAnswer> FinishAsync(TurnContext turn, WalkthroughStepData data, bool fixedIt, CancellationToken ct)
    {
        var (stop, state) = await CheckAsync(turn, data, ct);
        if (stop is not null || state is null) return stop ?? IntakeAnswer.Refused(Intake.BadCardData);
        if (fixedIt)
            return await intake.AnswerSuggestionAsync(turn, new ArticleVoteData(state.SuggestionId, state.ArticleId), fixedIt: true, ct);
        var title = knowledge.Find(state.ArticleId)?.Title ?? state.ArticleId;
        return await intake.AnswerSuggestionAsync(turn, new ArticleVoteData(state.SuggestionId), fixedIt: false, ct,
            new StepsTried(state.ArticleId, title, state.Step, state.StepCount));
    }

    // Stop is null when the press may go on: the walkthrough exists, it is the presser's, and its suggestion is
    // unanswered. An answered one (a press on an old copy of the card) shows that answer again, and changes nothing.
    async Task<(IntakeAnswer? Stop, WalkthroughState? State)> CheckAsync(TurnContext turn, WalkthroughStepData data, CancellationToken ct)
    {
        var state = await walkthroughs.GetAsync(data.SuggestionId, ct);
        if (state is null) return (IntakeAnswer.Refused(Intake.BadCardData), null);
        if (state.RequesterId != turn.Activity.From!.Id) return (IntakeAnswer.Refused(Intake.NotYours), state);
        var suggestion = await feedback.GetSuggestionAsync(data.SuggestionId, ct);
        return (suggestion?.Outcome is null ? null : await AnsweredAsync(turn, data.SuggestionId, ct), state);
    }

    // The suggestion's first answer wins: the "glad it fixed it" card, or the ticket it filed.
    Task<IntakeAnswer> AnsweredAsync(TurnContext turn, string suggestionId, CancellationToken ct) =>
        intake.AnswerSuggestionAsync(turn, new ArticleVoteData(suggestionId), fixedIt: false, ct);

    IntakeAnswer StepCard(WalkthroughState state) =>
        knowledge.Find(state.ArticleId) is { } article && ArticleSteps.Of(article) is { Count: > 0 } steps
            ? new IntakeAnswer(WalkthroughCards.Step(article, steps, state.Step, state.SuggestionId))
            : IntakeAnswer.Refused(Intake.BadCardData);
}
