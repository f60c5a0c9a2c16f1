using SupportBot.Cards;

namespace SupportBot.Conversations;

public static class WelcomeCards
{
    public static AdaptiveCard Welcome(string? userName) => new()
    {
        Body =
        [
            new TextBlock($"Hi{(string.IsNullOrWhiteSpace(userName) ? "" : " " + FirstName(userName))}, I'm the IT help desk.") { Size = "Large", Weight = "Bolder" },
            new TextBlock("Tell me what's wrong in your own words, for example \"the projector in room 12 shows no signal\". " +
                          "I'll suggest a fix you can try yourself or pass it to a technician, and keep you updated here."),
            new TextBlock("It's an emergency when a class, a meeting or other work is stopped right now, when many people are affected, " +
                          "or when something looks like a security or safety problem. Say so and I'll get a technician on it first.")
            { IsSubtle = true },
        ],
        Actions = [new ActionSubmit("What can you do?", new { command = "help" })],
    };

    public static string Help =>
        "Describe your problem in a sentence and I'll take it from there. " +
        "Emergencies - a class or work stopped right now, many people affected, or a security or safety incident - go to a technician first. " +
        "Type \"notify me\" to check that I can message you.";

    static string FirstName(string name) => name.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
}
