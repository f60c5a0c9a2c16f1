using Azure.Core.Pipeline;

namespace SupportBot.Storage;

// The HTTP connections to Table Storage: one pool per process, at most MaxCalls calls on it at once, and a call given
// up on (its attempt's timeout, or the turn's deadline) left to finish on its connection instead of being cut off.
//
// Over HTTP/1.1 a cancelled call closes its connection, and the next call pays for a new one. Found by bench/Chaos (the
// 30-minute soaks at 6e037f3 and 4fe5157): after an Azurite restart, one instance at a time had nearly every storage
// call time out for minutes while the other, on the same Azurite, was served. Azurite, busy, accepted about 8 new
// connections a second (one per turn of its event loop, measured with strace), and its accept queue (511) was full of
// connections the stuck instance had already closed; the other instance had kept its connections and needed none.
// Keeping connections through timeouts costs a late answer nobody reads; against Azure Table Storage it also saves a
// TLS handshake per timeout, and the bound keeps an instance well inside App Service's outbound (SNAT) port allowance.
public static class StorageConnections
{
    internal const int MaxCalls = 64;

    // How long a call given up on may still run before its connection is closed after all (the service's own limit
    // for a table operation is 30 s).
    internal static readonly TimeSpan GivenUpCallLimit = TimeSpan.FromSeconds(30);

    public static HttpPipelineTransport Transport { get; } = new HttpClientTransport(new HttpClient(
        new FinishGivenUpCalls(MaxCalls, GivenUpCallLimit)
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

internal sealed class FinishGivenUpCalls(int maxCalls, TimeSpan givenUpCallLimit) : DelegatingHandler
{
    readonly SemaphoreSlim calls = new(maxCalls, maxCalls);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // A call still waiting here when it is given up on is never sent: no write lands later that nobody waits for.
        await calls.WaitAsync(ct);
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
