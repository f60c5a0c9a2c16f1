using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SupportBot.Hosting;

namespace SupportBot.Storage;

public static class TableStorage
{
    public static IServiceCollection AddTableStorage(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        // Unset means Azurite on this machine; outside Development the start-up checks (Hosting/DeploymentChecks) refuse that.
        var connection = configuration.GetConnectionString("Tables");
        services.AddSingleton(_ => CreateClient(connection, AzureIdentity.For(configuration)));
        services.AddHealthChecks().AddCheck<TablesHealthCheck>("tables", tags: ["ready"]);
        return services;
    }

    // The Azure SDK throws RequestFailedException, or an AggregateException once its retries run out (with the
    // TaskCanceledExceptions of timed-out attempts inside); a turn whose deadline passed while waiting is the same.
    public static bool IsFailure(Exception ex) => ex switch
    {
        Azure.RequestFailedException or OperationCanceledException => true,
        AggregateException agg => agg.InnerExceptions.All(IsFailure),
        _ => false,
    };

    // A connection string, or a table endpoint URL for the managed identity; unset means Azurite on this machine.
    public static TableServiceClient CreateClient(string? connection, TokenCredential? credential = null)
    {
        connection = string.IsNullOrWhiteSpace(connection) ? "UseDevelopmentStorage=true" : connection;
        // Teams gives a turn 15 s: fail fast enough that the user still hears from the bot.
        var options = new TableClientOptions();
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(300);
        options.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        options.AddPolicy(StorageRequests.Policy, HttpPipelinePosition.PerRetry);
        return Uri.TryCreate(connection, UriKind.Absolute, out var endpoint)
            ? new TableServiceClient(endpoint, credential ?? new DefaultAzureCredential(), options)
            : new TableServiceClient(connection, options);
    }
}

// Readiness: the bot is useless without its tables, so /readyz asks the table service for one page of tables.
public sealed class TablesHealthCheck(TableServiceClient tables) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: ct).AsPages(pageSizeHint: 1))
                break;
            return HealthCheckResult.Healthy();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 403)
        {
            return HealthCheckResult.Unhealthy("Table storage refused the bot (403): give its identity the Storage Table Data Contributor role on the account; a new role assignment can take up to 10 minutes to apply.", ex);
        }
        catch (AuthenticationFailedException ex)
        {
            return HealthCheckResult.Unhealthy("No token for Table Storage: the managed identity is not attached to the web app, or MicrosoftAppId (UserAssignedMSI) or AZURE_CLIENT_ID does not name it.", ex);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException)
        {
            return HealthCheckResult.Unhealthy("Table storage is unreachable: check ConnectionStrings:Tables.", ex);
        }
    }
}

// A table created on first use, once: concurrent first callers (a burst on a cold instance) share one create call
// instead of each sending their own; a failed create is tried again by the next caller.
public sealed class LazyTable(TableServiceClient tables, string name)
{
    readonly Lock gate = new();
    TableClient? table;
    Task<TableClient>? creating;

    public Task<TableClient> GetAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref table) is { } ready) return Task.FromResult(ready);
        Task<TableClient> pending;
        lock (gate)
        {
            if (creating is null || creating.IsFaulted || creating.IsCanceled) creating = CreateAsync();
            pending = creating;
        }
        return pending.WaitAsync(ct);
    }

    // Not cancelled by the caller who happened to start it: others wait on the same call (the client's timeouts bound it).
    async Task<TableClient> CreateAsync()
    {
        var client = tables.GetTableClient(name);
        await client.CreateIfNotExistsAsync(CancellationToken.None);
        Volatile.Write(ref table, client);
        return client;
    }

    // Partition and row keys may not contain / \ # ? or control characters; Teams ids and article ids can.
    // Percent-escaping with ~ for %, and ~ itself escaped first, keeps distinct ids distinct.
    public static string Key(string id) => Uri.EscapeDataString(id).Replace("~", "%7E").Replace("%", "~");
}
