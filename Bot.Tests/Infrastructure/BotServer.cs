using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SupportBot.Tests.Infrastructure;

// The real bot (same composition as Program) on Kestrel at a free loopback port.
public sealed class BotServer : IAsyncDisposable
{
    readonly WebApplication app;

    BotServer(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public Uri MessagesEndpoint => new(BaseAddress, "/api/messages");
    public IServiceProvider Services => app.Services;

    public static async Task<BotServer> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        int port = 0,
        string environment = "Development",
        Action<IServiceCollection>? overrides = null)
    {
        var app = SupportBotApp.Build(["--environment", environment], builder =>
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "None",
                // An enqueue wakes this instance's drainer at once; the poll is for work another instance (or a restart) left.
                ["Outbox:PollInterval"] = "00:00:00.200",
                ["Outbox:RetryBaseDelay"] = "00:00:00.500",
            });
            builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
            services?.Invoke(builder.Services);
            // Called with the bot's own registrations in place, so a test can replace or remove one of them.
            if (overrides is not null) builder.Host.UseServiceProviderFactory(new OverridingFactory(overrides));
        });
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new BotServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

sealed class OverridingFactory(Action<IServiceCollection> overrides) : IServiceProviderFactory<IServiceCollection>
{
    public IServiceCollection CreateBuilder(IServiceCollection services)
    {
        overrides(services);
        return services;
    }

    public IServiceProvider CreateServiceProvider(IServiceCollection services) =>
        services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
}
