namespace SupportBot.Storage;

// What could not be finished after the person already had their answer, because storage failed for a moment:
// remembering the ticket card's message id, queueing the ticket for the technicians' channel, the while-you-wait card,
// the update of a requester's card.
// Each is idempotent and tried again here every few seconds until it succeeds or GiveUpAfter passes, so a storage
// restart does not leave a ticket whose card never follows its changes and whose poll never comes (bench/Chaos:
// "card shows (New)" and "no satisfaction poll" for a ticket filed just before Azurite went away). In memory: a process
// that dies before storage is back loses them (the SLA watch still sees the ticket; the card stays as first posted).
public sealed class StorageFollowUps(TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<StorageFollowUps> logger)
{
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    // work: true once done; false or a storage failure to be tried again.
    public void Retry(string what, Func<CancellationToken, Task<bool>> work)
    {
        var until = clock.GetUtcNow() + GiveUpAfter;
        _ = Task.Run(async () =>
        {
            var stop = lifetime.ApplicationStopping;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(RetryEvery, clock, stop);
                    if (await work(stop))
                    {
                        logger.LogInformation("Follow-up done: {What}", what);
                        return;
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (TableStorage.IsFailure(ex))
                {
                }
                if (clock.GetUtcNow() > until)
                {
                    logger.LogWarning("Follow-up given up after {GiveUp}: {What}", GiveUpAfter, what);
                    return;
                }
            }
        }, CancellationToken.None);
    }
}
