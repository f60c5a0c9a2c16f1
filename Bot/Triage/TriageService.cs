namespace SupportBot.Triage;

// Loads the committed model, or trains one from the committed data when the model is missing or stale.
public static class TriageService
{
    public static Triager Create(ILogger? logger = null)
    {
        var fingerprintFile = Path.Combine(TriageDataset.ModelDirectory, "fingerprint.txt");
        var fingerprint = TriageDataset.Fingerprint();
        if (File.Exists(fingerprintFile) && File.ReadAllText(fingerprintFile).Trim() == fingerprint)
            return new Triager(TriageModel.Load(TriageDataset.ModelDirectory));

        logger?.LogWarning("Triage model missing or older than its data; training one now (run 'triage train' to commit it)");
        return new Triager(TriageModel.Train(TriageDataset.Train()));
    }

    public static void TrainAndSave(string outputDirectory)
    {
        var model = TriageModel.Train(TriageDataset.Train());
        model.Save(outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, "fingerprint.txt"), TriageDataset.Fingerprint() + Environment.NewLine);
    }
}

// Loads the model while the host starts, so the first user does not wait for it.
public sealed class TriageWarmUp(ITriage triage, ILogger<TriageWarmUp> logger) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        try
        {
            triage.Triage("warm up");
        }
        // A cold start on a busy machine (a small App Service plan) can run past the signals' match timeout while the
        // regexes compile; the warm-up is only a head start and must not stop the host.
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException ex)
        {
            logger.LogWarning(ex, "Triage warm-up ran past its time limit; the first request finishes loading it");
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
