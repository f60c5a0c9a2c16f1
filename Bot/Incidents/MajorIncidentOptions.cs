namespace SupportBot.Incidents;

// "Support:MajorIncident": this many alike reports from different people within Window make a possible major incident.
public sealed class MajorIncidentOptions
{
    public bool Enabled { get; set; } = true;
    public int Reports { get; set; } = 3;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(30);
    // How alike two reports must be (Dice overlap of what they are about, 0..1).
    public double Similarity { get; set; } = ReportSimilarity.DefaultThreshold;
}
