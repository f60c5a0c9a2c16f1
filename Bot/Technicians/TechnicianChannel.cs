using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Storage;

namespace SupportBot.Technicians;

public sealed record ChannelAddress(string ChannelId, string? ServiceUrl, string? TeamId, string? TenantId);

// Where new tickets are posted: the channel set by "setup" (stored, so every instance and restart agrees), else the
// one in configuration.
public sealed class TechnicianChannel(TableServiceClient tables, IOptions<TechnicianOptions> options)
{
    readonly LazyTable table = new(tables, "Settings");

    public async Task<ChannelAddress?> FindAsync(CancellationToken ct)
    {
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>("technicians", "channel", cancellationToken: ct);
        if (found.HasValue && found.Value!.GetString("ChannelId") is { Length: > 0 } id)
            return new ChannelAddress(id, found.Value.GetString("ServiceUrl"), found.Value.GetString("TeamId"), found.Value.GetString("TenantId"));
        return string.IsNullOrWhiteSpace(options.Value.TechnicianChannelId) ? null : new ChannelAddress(options.Value.TechnicianChannelId, null, null, null);
    }

    public async Task SetAsync(ChannelAddress address, CancellationToken ct) =>
        await (await table.GetAsync(ct)).UpsertEntityAsync(new TableEntity("technicians", "channel")
        {
            ["ChannelId"] = address.ChannelId,
            ["ServiceUrl"] = address.ServiceUrl,
            ["TeamId"] = address.TeamId,
            ["TenantId"] = address.TenantId,
        }, TableUpdateMode.Replace, ct);
}
