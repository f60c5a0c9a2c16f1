namespace SupportBot.Triage;

// What counts as an emergency, in the words users see (welcome card, help) and the question the bot asks when unsure.
// Set once under "Triage" in configuration so each organisation can word it for its own people.
public sealed class EmergencyPolicy
{
    public string Definition { get; set; } =
        "It's an emergency when a class, a meeting or other work is stopped or hampered right now, when many people are affected, " +
        "or when something looks like a security or safety problem (a suspicious link you clicked, a lost or stolen device, smoke or sparks).";

    public string NotAnEmergency { get; set; } =
        "Questions like \"how do I bookmark a page?\" and requests for later are not emergencies: they're still welcome.";

    public string ConfirmQuestion { get; set; } = "Is this stopping a class, a meeting or other work right now?";
}
