using Azure.Core;
using Azure.Identity;
using SupportBot.Protocol;

namespace SupportBot.Hosting;

// The credential for Azure services (Table Storage, Application Insights): the bot's own user-assigned managed
// identity when it runs as one (UserAssignedMSI: MicrosoftAppId is that identity's client id), so one identity
// holds every permission and no secret exists; otherwise what DefaultAzureCredential finds (AZURE_CLIENT_ID,
// a system-assigned identity, a developer's az login).
public static class AzureIdentity
{
    public static TokenCredential For(IConfiguration configuration)
    {
        var bot = configuration.Get<BotOptions>() ?? new BotOptions();
        return IsUserAssignedMsi(bot) && Guid.TryParse(bot.MicrosoftAppId, out var clientId)
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId.ToString()))
            : new DefaultAzureCredential();
    }

    static bool IsUserAssignedMsi(BotOptions bot) =>
        string.Equals(bot.MicrosoftAppType?.Trim(), "UserAssignedMSI", StringComparison.OrdinalIgnoreCase);
}
