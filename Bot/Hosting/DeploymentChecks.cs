using Azure.Data.Tables;
using SupportBot.Protocol;

namespace SupportBot.Hosting;

public sealed record DeploymentProblem(string Setting, string Problem, bool Fatal);

// What an admin must fix before the bot can work in Azure, found at start-up instead of on the first message.
// Outside Development a fatal problem stops the bot with one line per problem; the rest are warnings, also on /readyz.
// Setting names and our own words only: never a configured value (a secret pasted into the wrong setting stays unprinted).
public static class DeploymentChecks
{
    public const string ReadmePointer = "See README.md, section \"Deploy to Azure\".";
    const string LoggerName = "SupportBot.Deployment";

    public static IReadOnlyList<DeploymentProblem> Check(IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment())
            return [];
        var problems = new List<DeploymentProblem>();
        void Fatal(string setting, string problem) => problems.Add(new(setting, problem, Fatal: true));
        void Warn(string setting, string problem) => problems.Add(new(setting, problem, Fatal: false));

        var bot = configuration.Get<BotOptions>() ?? new BotOptions();
        AppType? type = null;
        try { type = bot.ResolvedAppType; }
        catch (InvalidOperationException) { Fatal("MicrosoftAppType", "is not one of MultiTenant, SingleTenant, UserAssignedMSI (infra/main.bicep deploys UserAssignedMSI)."); }

        if (bot.IsAnonymous)
            Fatal("MicrosoftAppId", "is not set. Set it to the Azure Bot's Microsoft App ID (with UserAssignedMSI: the managed identity's client id, BOT_ID from infra/main.bicep). Anonymous mode runs only with ASPNETCORE_ENVIRONMENT=Development.");
        else if (!Guid.TryParse(bot.MicrosoftAppId, out _))
            Fatal("MicrosoftAppId", "is not a GUID. It must be the app (client) id shown on the Azure Bot's Configuration page, not a secret.");

        var hasSecret = !string.IsNullOrEmpty(bot.MicrosoftAppPassword) || !string.IsNullOrEmpty(bot.MicrosoftAppCertificatePath)
            || !string.IsNullOrEmpty(bot.MicrosoftAppCertificateThumbprint);
        if (type is AppType.SingleTenant or AppType.UserAssignedMsi && string.IsNullOrWhiteSpace(bot.MicrosoftAppTenantId))
            Fatal("MicrosoftAppTenantId", $"is not set, and a {bot.MicrosoftAppType} bot needs its Entra tenant id (AZURE_TENANT_ID from infra/main.bicep).");
        if (type is AppType.MultiTenant or AppType.SingleTenant && !bot.IsAnonymous && !hasSecret)
            Fatal("MicrosoftAppPassword", "is not set (nor a certificate), so the bot could not get a token to reply. Prefer MicrosoftAppType=UserAssignedMSI, which needs no secret.");
        if (type is AppType.UserAssignedMsi && hasSecret)
            Warn("MicrosoftAppPassword", "is set but a UserAssignedMSI bot never uses it: remove the secret from the app settings.");

        CheckTables(configuration.GetConnectionString("Tables"), Fatal, Warn);

        if (string.IsNullOrWhiteSpace(configuration["Support:TechnicianChannelId"]))
            Warn("Support:TechnicianChannelId", "is not set: new tickets reach no channel until a technician types \"setup\" in the technicians' channel (once is enough; /readyz shows whether it was done).");
        if (string.IsNullOrWhiteSpace(configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"]))
            Warn("APPLICATIONINSIGHTS_CONNECTION_STRING", "is not set: traces, metrics and logs stay on this machine's console.");
        return problems;
    }

    static void CheckTables(string? connection, Action<string, string> fatal, Action<string, string> warn)
    {
        const string setting = "ConnectionStrings:Tables";
        if (string.IsNullOrWhiteSpace(connection))
        {
            fatal(setting, "is not set. Set it to the storage account's table endpoint (https://<account>.table.core.windows.net/), which the bot reaches with its managed identity (role Storage Table Data Contributor).");
            return;
        }
        if (Uri.TryCreate(connection, UriKind.Absolute, out var endpoint))
        {
            if (endpoint.Scheme != Uri.UriSchemeHttps)
                fatal(setting, "is a table endpoint without https: a managed identity's token is only sent over https.");
            return;
        }
        try
        {
            _ = new TableServiceClient(connection);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            fatal(setting, "is neither a table endpoint URL nor a valid storage connection string.");
            return;
        }
        if (connection.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase) || connection.Contains("SharedAccessSignature=", StringComparison.OrdinalIgnoreCase))
            warn(setting, "holds a shared key. Use the table endpoint instead, reached with the managed identity (infra/main.bicep turns shared-key access off).");
    }

    // Disposes the app (flushing the logs) when it must not start.
    public static async Task<bool> PassesDeploymentChecksAsync(this WebApplication app)
    {
        if (Report(Check(app.Configuration, app.Environment), app.Services.GetRequiredService<ILoggerFactory>(), Console.Error))
            return true;
        await app.DisposeAsync();
        return false;
    }

    // Logs every problem and, if one is fatal, also writes them to standard error as plain lines and returns false.
    public static bool Report(IReadOnlyList<DeploymentProblem> problems, ILoggerFactory loggers, TextWriter error)
    {
        var logger = loggers.CreateLogger(LoggerName);
        foreach (var p in problems)
            logger.Log(p.Fatal ? LogLevel.Critical : LogLevel.Warning, "Configuration: {Setting} {Problem} {Readme}", p.Setting, p.Problem, ReadmePointer);
        var fatal = problems.Where(p => p.Fatal).ToList();
        if (fatal.Count == 0)
            return true;
        error.WriteLine($"SupportBot cannot start: {fatal.Count} configuration problem(s). {ReadmePointer}");
        foreach (var p in fatal)
            error.WriteLine($"  {p.Setting} {p.Problem}");
        error.Flush();
        return false;
    }
}
