using System.Collections.Concurrent;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using SupportBot.Storage;

namespace SupportBot.Tests.Storage;

// Found by bench/Chaos (30-minute soaks): with Azurite saturated after a restart, one instance at a time had nearly every
// storage call time out for minutes. Every call that timed out closed its connection, and Azurite accepted new ones
// far slower than that instance needed them. Against a table service on loopback that answers late or holds calls.
public sealed class StorageConnectionTests : IAsyncDisposable
{
    const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    WebApplication? storage;
    volatile bool slow;
    int started, finished, cutOff;
    readonly ConcurrentDictionary<string, bool> connections = new();
    readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    [Fact]
    public async Task A_storage_call_that_times_out_keeps_its_connections_open_for_the_calls_after_it()
    {
        var table = await StartStorageAsync(async context =>
        {
            if (slow)
            {
                // Answers after the client's 300 ms timeout: a client that cut the call off has closed the connection by then.
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                if (context.RequestAborted.IsCancellationRequested) Interlocked.Increment(ref cutOff);
            }
            await NotFoundAsync(context);
        }, TimeSpan.FromMilliseconds(300));

        slow = true;
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => table.GetEntityIfExistsAsync<TableEntity>("p", "r"));
        Assert.True(TableStorage.IsFailure(failure), failure.ToString());
        Assert.Equal(3, Volatile.Read(ref started)); // the first attempt and the SDK's two retries, each given up on
        for (var wait = 0; wait < 50 && Volatile.Read(ref finished) < 3; wait++) await Task.Delay(100);
        await Task.Delay(200); // a connection closed by the client is seen as aborted by now

        slow = false;
        var openedBefore = connections.Count;
        for (var i = 0; i < 5; i++)
            Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", $"r{i}")).HasValue);

        Assert.Equal(0, Volatile.Read(ref cutOff));
        Assert.Equal(openedBefore, connections.Count);
    }

    [Fact]
    public async Task A_call_given_up_while_waiting_for_a_free_connection_is_never_sent()
    {
        await StartStorageAsync(async context =>
        {
            await release.Task;
            await NotFoundAsync(context);
        }, TimeSpan.FromSeconds(3));
        using var http = new HttpClient(new FinishGivenUpCalls(maxCalls: 2, maxWait: TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)) { InnerHandler = new SocketsHttpHandler() });
        var url = storage!.Urls.First() + "/devstoreaccount1/Tickets()";

        var held = Enumerable.Range(0, 2).Select(_ => http.GetAsync(url)).ToList();
        for (var wait = 0; wait < 50 && Volatile.Read(ref started) < 2; wait++) await Task.Delay(50);
        using (var givenUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => http.GetAsync(url, givenUp.Token));
        release.SetResult();
        foreach (var response in await Task.WhenAll(held)) response.Dispose();
        await Task.Delay(300); // the third call would have been sent as soon as a connection was free

        Assert.Equal(2, Volatile.Read(ref started));
    }

    [Fact]
    public async Task A_call_that_finds_no_free_connection_in_time_fails_as_a_storage_failure_and_is_never_sent()
    {
        // Its own pool of two (the process's pool is shared with every other test running now).
        var table = await StartStorageAsync(async context =>
        {
            await release.Task;
            await NotFoundAsync(context);
        }, TimeSpan.FromSeconds(3), new FinishGivenUpCalls(maxCalls: 2, maxWait: TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30)));
        var held = Enumerable.Range(0, 2).Select(i => table.GetEntityIfExistsAsync<TableEntity>("p", $"held{i}")).ToList();
        for (var wait = 0; wait < 50 && Volatile.Read(ref started) < 2; wait++) await Task.Delay(50);

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => table.GetEntityIfExistsAsync<TableEntity>("p", "late"));
        var sentWhileFull = Volatile.Read(ref started);
        release.SetResult();
        await Task.WhenAll(held);

        Assert.True(TableStorage.IsFailure(failure), failure.ToString());
        Assert.Contains("busy", failure.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, sentWhileFull);
    }

    async Task<TableClient> StartStorageAsync(RequestDelegate answer, TimeSpan networkTimeout, FinishGivenUpCalls? pool = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        storage = builder.Build();
        storage.Run(async context =>
        {
            connections.TryAdd(context.Connection.Id, true);
            Interlocked.Increment(ref started);
            try { await answer(context); }
            finally { Interlocked.Increment(ref finished); }
        });
        await storage.StartAsync();
        var endpoint = storage.Urls.First() + "/devstoreaccount1";
        var options = TableStorage.ClientOptions(networkTimeout);
        if (pool is not null)
        {
            pool.InnerHandler = new SocketsHttpHandler();
            options.Transport = new Azure.Core.Pipeline.HttpClientTransport(new HttpClient(pool));
        }
        return new TableServiceClient(
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};TableEndpoint={endpoint};", options)
            .GetTableClient("Tickets");
    }

    static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        context.Response.Headers["x-ms-error-code"] = "ResourceNotFound";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("""{"odata.error":{"code":"ResourceNotFound","message":{"lang":"en-US","value":"Not found."}}}""");
    }

    public async ValueTask DisposeAsync()
    {
        release.TrySetResult();
        if (storage is not null) await storage.DisposeAsync();
    }
}
