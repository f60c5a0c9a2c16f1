using Microsoft.Extensions.Options;
using SupportBot.Protocol;

namespace SupportBot.Privacy;

public sealed class TenantOptions
{
    // Entra tenant ids (GUIDs) whose users may use the bot. Empty: every tenant that can reach the bot.
    public List<string> AllowedTenants { get; set; } = [];
}

// Only listed Microsoft 365 tenants may use the bot: an activity from any other tenant (or naming none) is refused
// before the turn runs, so nothing from it is stored. Teams puts the tenant in channelData.tenant.id (and
// conversation.tenantId); the token does not carry it, so this is an authorization rule on the authenticated activity.
public sealed class TenantAllowList(IOptions<TenantOptions> options)
{
    readonly HashSet<string> allowed = new(
        options.Value.AllowedTenants.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim()),
        StringComparer.OrdinalIgnoreCase);

    public bool IsRestricted => allowed.Count > 0;

    public static string? TenantOf(Activity activity) => activity.ChannelData?.Tenant?.Id ?? activity.Conversation?.TenantId;

    public bool Allows(Activity activity)
    {
        if (!IsRestricted) return true;
        // Both places must agree when both are given: a forged second tenant must not slip past the first.
        var fromChannelData = activity.ChannelData?.Tenant?.Id;
        var fromConversation = activity.Conversation?.TenantId;
        if (fromChannelData is null && fromConversation is null) return false;
        return (fromChannelData is null || allowed.Contains(fromChannelData))
            && (fromConversation is null || allowed.Contains(fromConversation));
    }
}
