using Azure.Monitor.OpenTelemetry.AspNetCore;
using OpenTelemetry.Resources;

namespace SupportBot.Hosting;

// OpenTelemetry traces, metrics and logs to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set
// (infra/main.bicep sets it), sent with the bot's managed identity (the component accepts no other).
// Logs carry what the console gets: structured values, no message text above Debug.
public static class Telemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static IServiceCollection AddSupportBotTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration[ConnectionStringSetting];
        if (string.IsNullOrWhiteSpace(connectionString))
            return services;
        var useEntraId = !configuration.GetValue("ApplicationInsights:UseConnectionStringOnly", false);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("SupportBot"))
            .WithMetrics(metrics => metrics.AddMeter(Storage.StorageRequests.MeterName))
            .UseAzureMonitor(options =>
            {
                options.ConnectionString = connectionString;
                if (useEntraId)
                    options.Credential = AzureIdentity.For(configuration);
            });
        return services;
    }
}
