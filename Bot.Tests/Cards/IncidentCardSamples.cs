using SupportBot.Cards;
using SupportBot.Incidents;
using SupportBot.Protocol;
using SupportBot.Tickets;
using SupportBot.Triage;

namespace SupportBot.Tests.Cards;

// The major-incident cards in each state, with realistic and extreme data.
public static class IncidentCardSamples
{
    static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    public static MajorIncident Incident(bool resolved = false) => new()
    {
        Id = "network-1042",
        Category = "network",
        Subject = "Wi-Fi down",
        CreatedAt = Now.AddMinutes(-6),
        ParentNumber = 1046,
        Resolved = resolved,
        Resolution = resolved ? "The core switch in the server room was restarted; Wi-Fi is back everywhere." : null,
        ResolvedByName = resolved ? "Megan Bowen" : null,
        ResolvedAt = resolved ? Now : null,
        Reports =
        [
            new(1042, "user-id-1", "Megan Bowen", Now.AddMinutes(-10), "The wifi is down for the whole school right now", Urgency.Emergency, Absorbed: true, "r1"),
            new(1043, "user-id-2", "Adele Vance", Now.AddMinutes(-8), "Wifi is down in the whole building, nobody can get online right now", Urgency.Emergency, Absorbed: true, "r2"),
            new(1044, "user-id-3", "Lee Gu", Now.AddMinutes(-6), "No wifi anywhere in the school right now, everyone is offline", Urgency.Normal, Absorbed: false, "r3"),
            new(1045, "user-id-4", "Nestor Wilke", Now.AddMinutes(-1), "The wi-fi is down across the whole school right now", Urgency.Emergency, Absorbed: false, "r4"),
            new(1047, "user-id-5", "Pradeep Gupta", Now.AddMinutes(-1), "Wifi on my laptop asks for a certificate", Urgency.Normal, Absorbed: false, "r5", Separated: true),
        ],
    };

    public static IEnumerable<(string Name, AdaptiveCard Card)> All()
    {
        var hours = new SupportHours(new SupportOptions());
        string[] technicians = ["user-id-0", "user-id-1"];
        var onCall = new[] { new ChannelAccount { Id = "user-id-0", Name = "Alex Wilber" } };
        yield return ("incident-open", MajorIncidentCard.Create(Incident(), hours, Now, withActions: true, technicians, onCall));
        yield return ("incident-open-shared", MajorIncidentCard.Create(Incident(), hours, Now, withActions: false, technicians, onCall));
        yield return ("incident-resolved", MajorIncidentCard.Create(Incident(resolved: true), hours, Now, withActions: true, technicians));
        var extreme = string.Concat(Enumerable.Repeat("😀 ünïcødé \"quoted\" <b>tag</b> ", 20));
        yield return ("incident-extreme", MajorIncidentCard.Create(Incident() with
        {
            Subject = extreme[..200],
            Reports = [.. Enumerable.Range(0, 400).Select(i => new IncidentReport(2000 + i, $"29:user-{i}", new string('N', 200), Now.AddMinutes(-29),
                extreme[..TicketLimits.TitleChars], i % 2 == 0 ? Urgency.Emergency : Urgency.Normal, Absorbed: i < 150, $"r{i}", Separated: i % 5 == 0))],
        }, hours, Now, withActions: true, [.. Enumerable.Range(0, 100).Select(i => $"29:user-{i}")], onCall));
        yield return ("ticket-linked-to-incident", RequesterTicketCard.Create(TicketCardSamples.Ticket(urgency: Urgency.Emergency,
            title: "The wifi is down for the whole school right now", problem: "the wifi is down for the whole school right now") with { MajorIncident = "network-1042" }, hours, Now));
        yield return ("tech-linked-to-incident", SupportBot.Technicians.TechnicianCard.Create(TicketCardSamples.Ticket() with { MajorIncident = "network-1042" }, hours, Now, withActions: false, technicians));
    }
}
