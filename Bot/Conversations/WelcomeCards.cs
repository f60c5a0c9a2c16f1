using SupportBot.Cards;
using SupportBot.Triage;

namespace SupportBot.Conversations;

public static class WelcomeCards
{
    public const string HelpCommand = "help";

    public static AdaptiveCard Welcome(string? userName, EmergencyPolicy policy) => new()
    {
        Body =
        [
            new TextBlock($"Hi{(string.IsNullOrWhiteSpace(userName) ? "" : " " + FirstName(userName))}, I'm the IT help desk.") { Size = "Large", Weight = "Bolder" },
            new TextBlock("Tell me what's wrong in your own words, for example \"the projector in room 12 shows no signal\". " +
                          "I'll suggest a fix you can try yourself or pass it to a technician, and keep you updated here."),
            new TextBlock(policy.Definition + " Emergencies go to a technician first.") { IsSubtle = true },
        ],
        Actions = [new ActionSubmit("What can you do?", new { command = HelpCommand })],
    };

    // Every command this user may type, and what counts as an emergency.
    public static AdaptiveCard Help(EmergencyPolicy policy, bool forTechnician = false) => new()
    {
        Body =
        [
            new TextBlock("What I can do") { Size = "Medium", Weight = "Bolder" },
            new TextBlock("Describe a problem in a sentence and I'll suggest a fix or file a ticket for a technician. You can also type:"),
            new FactSet([.. Commands.ForRequesters.Select(c => new Fact(c.Example, c.Meaning))]),
            .. forTechnician
                ? new CardElement[] { new TextBlock("For technicians:") { Weight = "Bolder" }, new FactSet([.. Commands.ForTechnicians.Select(c => new Fact(c.Example, c.Meaning))]) }
                : [],
            new TextBlock(policy.Definition + " " + policy.NotAnEmergency) { IsSubtle = true, Spacing = "Medium" },
        ],
        FallbackText = "Describe your problem, or type: " + string.Join(", ", Commands.ForRequesters.Select(c => c.Example)),
    };

    // The bot's first message in a team: it is for the technicians there, not a requester's welcome.
    public static AdaptiveCard ForTechnicians() => new()
    {
        Body =
        [
            new TextBlock("SupportBot is here to send you tickets") { Size = "Large", Weight = "Bolder" },
            new TextBlock("Type **setup** (mention me: @SupportBot setup) in the channel where technicians should get new tickets. " +
                          "Each ticket arrives as its own post, emergencies marked EMERGENCY and mentioning whoever is on call, and you can work it from its card."),
            new TextBlock("Technicians can also type: " + string.Join(", ", Commands.ForTechnicians.Select(c => c.Example)) + ".") { IsSubtle = true },
        ],
        FallbackText = "Type setup in the channel where technicians should get new tickets.",
    };

    static string FirstName(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
}
