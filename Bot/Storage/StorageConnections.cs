using Azure.Core.Pipeline;

namespace SupportBot.Storage;

// The HTTP connections to Table Storage: one pool per client, at most MaxCalls calls on it at once, and a call given
// up on (its attempt's timeout, or the turn's deadline) left to finish on its connection instead of being cut off.
//
// Over HTTP/1.1 a cancelled call closes its connection, and the next call pays for a new one. Found by bench/Chaos (the
// 30-minute soaks at 6e037f3 and 4fe5157): after an Azurite restart, one instance at a time had nearly every storage
// call time out for minutes while the other, on the same Azurite, was served. Azurite, busy, accepted about 8 new
// connections a second (one per turn of its event loop, measured with strace), and its accept queue (511) was full of
// connections the stuck instance had already closed; the other instance had kept its connections and needed none.
// Keeping connections through timeouts costs a late answer nobody reads; against Azure Table Storage it also saves a
// TLS handshake per timeout.
//
// The bound is low on purpose. With 64 calls each, the next soak kept both instances' calls flowing into an Azurite that
// could no longer serve them within their timeouts (its database had grown to 160 MB, written out whole every 5 s), so
// nearly every call timed out and was tried again, and both instances failed 90% of turns. A call waiting here costs
// storage nothing, and one given up on here is never sent. 16 calls at Azure Table Storage's 5-20 ms are 800-3,200
// calls a second per instance, several times a help desk's busiest minute, and well inside App Service's outbound
// (SNAT) port allowance. A call that finds no free connection within MaxWait fails at once (the SDK tries it again):
// sent later, it would reach storage with too little of its 3 s left to be answered in time.
public static class StorageConnections
{
    internal const int MaxCalls = 16;
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(1);

    // How long a call given up on may still run before its connection is closed after all (the service's own limit
    // for a table operation is 30 s).
    internal static readonly TimeSpan GivenUpCallLimit = TimeSpan.FromSeconds(30);

    // One per table service client: the bot has one; each test its own, so that one test's held calls never fill another's.
    public static HttpPipelineTransport CreateTransport() => new HttpClientTransport(new HttpClient(
        new FinishGivenUpCalls(MaxCalls, MaxWait, GivenUpCallLimit)
        {
            // As Azure.Core's own transport has it (no redirects, no cookies, connections renewed every 5 minutes).
            InnerHandler = new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                MaxConnectionsPerServer = MaxCalls,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            },
        })
    {
        // The Azure SDK's pipeline times each attempt.
        Timeout = Timeout.InfiniteTimeSpan,
    });
}

internal sealed class FinishGivenUpCalls(int maxCalls, TimeSpan maxWait, TimeSpan givenUpCallLimit) : DelegatingHandler
{
    readonly SemaphoreSlim calls = new(maxCalls, maxCalls);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // A call still waiting here when it is given up on is never sent: no write lands later that nobody waits for.
        if (!await calls.WaitAsync(maxWait, ct))
            throw new HttpRequestException($"Table Storage is busy: no free connection within {maxWait.TotalSeconds:0.#} s.");
        var sending = SendWithinLimitAsync(request);
        try
        {
            return await sending.WaitAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            _ = DiscardWhenAnsweredAsync(sending);
            throw;
        }
    }

    async Task<HttpResponseMessage> SendWithinLimitAsync(HttpRequestMessage request)
    {
        using var limit = new CancellationTokenSource(givenUpCallLimit);
        try
        {
            return await base.SendAsync(request, limit.Token);
        }
        finally
        {
            calls.Release();
        }
    }

    // Disposing the answer reads its (small) body and hands the connection back to the pool.
    static async Task DiscardWhenAnsweredAsync(Task<HttpResponseMessage> sending)
    {
        try
        {
            (await sending).Dispose();
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            // Nobody is waiting for this call any more; its caller was told it failed.
        }
    }
}
