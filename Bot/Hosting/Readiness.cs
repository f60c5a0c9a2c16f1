using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SupportBot.Storage;
using SupportBot.Technicians;

namespace SupportBot.Hosting;

// On /readyz: the start-up warnings that still hold, and whether new tickets have a technicians' channel
// (from configuration or from "setup", which only storage knows). Degraded, not Unhealthy: the bot still answers.
public sealed class DeploymentHealthCheck(IConfiguration configuration, IHostEnvironment environment, TechnicianChannel channel) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var problems = DeploymentChecks.Check(configuration, environment)
            .Where(p => p.Setting != "Support:TechnicianChannelId")
            .ToDictionary(p => p.Setting, p => (object)p.Problem);
        try
        {
            if (await channel.FindAsync(ct) is null)
                problems["Support:TechnicianChannelId"] = "No technicians' channel: new tickets reach no channel. A technician types \"setup\" in the technicians' channel, or set Support:TechnicianChannelId.";
        }
        catch (Exception ex) when (TableStorage.IsFailure(ex) || ex is Azure.Identity.AuthenticationFailedException)
        {
            // The tables check reports storage itself.
        }
        return problems.Count == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{problems.Count} configuration problem(s). {DeploymentChecks.ReadmePointer}", data: problems);
    }
}

public static class ReadinessReport
{
    public static IServiceCollection AddDeploymentChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DeploymentHealthCheck>("deployment", tags: ["ready"]);
        return services;
    }

    // {"status":"Degraded","checks":{"tables":{"status":"Healthy"},"deployment":{"status":"Degraded","description":..,"problems":{setting: problem}}}}
    // Descriptions and our own problem texts only, never exception messages.
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                problems = e.Value.Data.Count == 0 ? null : e.Value.Data,
            }),
        };
        return http.Response.WriteAsync(JsonSerializer.Serialize(body, ReadinessJson), http.RequestAborted);
    }

    static readonly JsonSerializerOptions ReadinessJson = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };
}
