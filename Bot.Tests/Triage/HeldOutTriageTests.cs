using SupportBot.Triage;

namespace SupportBot.Tests.Triage;

public sealed class HeldOutTriageTests(TriageFixture fixture, ITestOutputHelper output) : IClassFixture<TriageFixture>
{
    [Fact]
    public void Held_out_split_meets_the_targets()
    {
        var metrics = TriageEvaluation.Evaluate(fixture.Triager, TriageDataset.HeldOut());
        output.WriteLine(metrics.ToString());

        Assert.True(metrics.Items >= 160, $"held-out split has only {metrics.Items} items");
        Assert.True(metrics.EmergencyRecall >= 0.95, $"emergency recall {metrics.EmergencyRecall:0.000}");
        Assert.True(metrics.NormalSpecificity >= 0.90, $"normal specificity {metrics.NormalSpecificity:0.000}");
        Assert.True(metrics.UnclearHandled >= 0.85, $"unclear handled {metrics.UnclearHandled:0.000}");
        Assert.True(metrics.ConfirmOnClear <= 0.15, $"confirm on clear items {metrics.ConfirmOnClear:0.000}");
        Assert.True(metrics.SecurityItems > 0);
        Assert.Equal(0, metrics.SecurityMissed);
    }

    [Fact]
    public void The_split_is_big_enough_and_training_never_sees_the_held_out_messages()
    {
        var train = TriageDataset.Train();
        var heldOut = TriageDataset.HeldOut();
        var trainTexts = train.Select(m => Signals.Normalize(m.Text)).ToHashSet();

        Assert.True(train.Count + heldOut.Count >= 800);
        Assert.True(heldOut.Count >= 0.2 * (train.Count + heldOut.Count));
        Assert.DoesNotContain(heldOut, m => trainTexts.Contains(Signals.Normalize(m.Text)));
        Assert.All(train.Concat(heldOut), m => Assert.Contains(m.Label, new[] { "emergency", "normal", "unclear" }));
    }

    [Fact]
    public void The_committed_model_was_trained_on_the_committed_data()
    {
        var recorded = File.ReadAllText(Path.Combine(TriageDataset.ModelDirectory, "fingerprint.txt")).Trim();
        Assert.True(recorded == TriageDataset.Fingerprint(),
            "Triage/Data changed since the model was trained: run `dotnet run --project Bot -c Release -- triage train` and commit Bot/Triage/Model.");
    }

    [Fact]
    public void Training_is_deterministic()
    {
        var data = TriageDataset.Train().Take(300).ToList();
        var first = TriageModel.Train(data);
        var second = TriageModel.Train(data);

        foreach (var text in new[] { "projector is dead and the class is waiting", "how do i add a bookmark", "printer offline" })
            Assert.Equal(first.Urgency(text), second.Urgency(text));
    }
}
