using SupportBot.Cards;

namespace SupportBot.Knowledge;

// One step of an article at a time, replacing the card it was pressed on, so the chat keeps one card per request.
public static class WalkthroughCards
{
    public static AdaptiveCard Step(Article article, IReadOnlyList<string> steps, int step, string suggestionId)
    {
        step = Math.Clamp(step, 1, steps.Count);
        var last = step == steps.Count;
        var data = new WalkthroughStepData(suggestionId, step);
        var body = new List<CardElement>
        {
            new TextBlock(article.Title) { Weight = "Bolder", IsSubtle = true, Spacing = "None" },
            new TextBlock($"Step {step} of {steps.Count}") { Size = "Medium", Weight = "Bolder", Spacing = "Small" },
            new TextBlock(steps[step - 1]) { Spacing = "Small" },
        };
        if (step > 1)
            body.Add(new TextBlock(step == 2 ? "Done so far: step 1" : $"Done so far: steps 1-{step - 1}") { IsSubtle = true, Size = "Small" });
        body.Add(new TextBlock(last
            ? "That was the last step. Did it work?"
            : "Try it, then tell me how it went. If it's still not working, I'll pass it to a technician with the steps you've tried.")
            { IsSubtle = true, Spacing = "Medium" });

        var actions = new List<CardAction>();
        if (!last)
            actions.Add(new ActionExecute("Done, next", KnowledgeVerbs.WalkNext, data) { Style = "positive" });
        actions.Add(new ActionExecute("That fixed it", KnowledgeVerbs.WalkFixed, data) { Style = last ? "positive" : null });
        actions.Add(new ActionExecute("Still not working", KnowledgeVerbs.WalkStillBroken, data));
        return new AdaptiveCard
        {
            Body = body,
            Actions = actions,
            FallbackText = $"{article.Title}, step {step} of {steps.Count}: {steps[step - 1]}",
        };
    }
}
