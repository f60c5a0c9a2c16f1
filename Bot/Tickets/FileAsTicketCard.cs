using SupportBot.Cards;
using SupportBot.Triage;

namespace SupportBot.Tickets;

// The dialog behind "File as ticket": the message's text to edit and the urgency triage suggests.
public static class FileAsTicketCard
{
    public static AdaptiveCard Create(string? author, string problem, Urgency suggested) => new()
    {
        Body =
        [
            new TextBlock($"A ticket for {author ?? "the message's author"}") { Size = "Medium", Weight = "Bolder" },
            new TextBlock("They get the ticket card and every update in their chat with SupportBot.") { IsSubtle = true },
            new InputText
            {
                Id = "problem", Label = "Problem", IsMultiline = true, MaxLength = TicketLimits.ProblemChars, Value = problem,
                IsRequired = true, ErrorMessage = "Describe the problem in a few words.",
            },
            new InputChoiceSet(
            [
                new Choice("Emergency: teaching or work is stopped right now, or many people are affected", "emergency"),
                new Choice("Normal: it can wait for the usual response time", "normal"),
            ])
            {
                Id = "urgency", Label = "Urgency (suggested from the message)", Style = "expanded", Wrap = true,
                Value = suggested == Urgency.Emergency ? "emergency" : "normal", IsRequired = true, ErrorMessage = "Choose an urgency.",
            },
        ],
        Actions = [new ActionSubmit("File ticket") { Style = "positive" }],
        FallbackText = "File this message as a ticket.",
    };
}
