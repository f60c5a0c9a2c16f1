namespace SupportBot.Technicians;

public sealed record OnCallTechnician
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
}

// "Support:" settings for the technicians' side. Lists default to null: configuration binding appends to defaults.
public sealed class TechnicianOptions
{
    // The Teams channel that receives new tickets; a technician typing "setup" in a channel sets (and stores) it instead.
    public string? TechnicianChannelId { get; set; }
    // Teams ids (29:...) or AAD object ids of technicians.
    public string[]? Technicians { get; set; }
    // Mentioned on emergency cards.
    public OnCallTechnician[]? OnCall { get; set; }
}
