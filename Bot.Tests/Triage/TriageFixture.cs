using SupportBot.Triage;

namespace SupportBot.Tests.Triage;

// The committed model, loaded once for all triage tests.
public sealed class TriageFixture
{
    public Triager Triager { get; } = TriageService.Create();
}
