using SupportBot.Cards;
using SupportBot.Triage;

namespace SupportBot.Conversations;

public static class WelcomeCards
{
    public static AdaptiveCard Welcome(string? userName, EmergencyPolicy policy) => new()
    {
        Body =
        [
            new TextBlock($"Hi{(string.IsNullOrWhiteSpace(userName) ? "" : " " + FirstName(userName))}, I'm the IT help desk.") { Size = "Large", Weight = "Bolder" },
            new TextBlock("Tell me what's wrong in your own words, for example \"the projector in room 12 shows no signal\". " +
                          "I'll suggest a fix you can try yourself or pass it to a technician, and keep you updated here."),
            new TextBlock(policy.Definition + " Emergencies go to a technician first.") { IsSubtle = true },
        ],
        Actions = [new ActionSubmit("What can you do?", new { command = "help" })],
    };

    public static string Help(EmergencyPolicy policy) =>
        "Describe your problem in a sentence and I'll take it from there.\n\n" +
        policy.Definition + " " + policy.NotAnEmergency + "\n\n" +
        "Type \"notify me\" to check that I can message you.";

    static string FirstName(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
}
