using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using SupportBot.Storage;

namespace SupportBot.Technicians;

public sealed record ChannelAddress(string ChannelId, string? ServiceUrl, string? TeamId, string? TenantId);

// Where new tickets are posted: the channel set by "setup" (stored, so every instance and restart agrees), else the
// one in configuration. Every ticket and card change posts there, so a found channel is kept for a short while rather
// than read on each post: a "setup" on another instance reaches this one within RereadAfter (on this one, at once).
// "No channel" is never kept, so the first setup is seen by every instance on its next post.
public sealed class TechnicianChannel(TableServiceClient tables, IOptions<TechnicianOptions> options, TimeProvider clock)
{
    public static readonly TimeSpan RereadAfter = TimeSpan.FromSeconds(30);
    readonly LazyTable table = new(tables, "Settings");
    volatile Known? known;

    sealed record Known(ChannelAddress Address, DateTimeOffset Until);

    public async Task<ChannelAddress?> FindAsync(CancellationToken ct)
    {
        if (known is { } fresh && clock.GetUtcNow() < fresh.Until) return fresh.Address;
        var found = await (await table.GetAsync(ct)).GetEntityIfExistsAsync<TableEntity>("technicians", "channel", cancellationToken: ct);
        var address = found.HasValue && found.Value!.GetString("ChannelId") is { Length: > 0 } id
            ? new ChannelAddress(id, found.Value.GetString("ServiceUrl"), found.Value.GetString("TeamId"), found.Value.GetString("TenantId"))
            : string.IsNullOrWhiteSpace(options.Value.TechnicianChannelId) ? null : new ChannelAddress(options.Value.TechnicianChannelId, null, null, null);
        known = address is null ? null : new Known(address, clock.GetUtcNow() + RereadAfter);
        return address;
    }

    public async Task SetAsync(ChannelAddress address, CancellationToken ct)
    {
        await (await table.GetAsync(ct)).UpsertEntityAsync(new TableEntity("technicians", "channel")
        {
            ["ChannelId"] = address.ChannelId,
            ["ServiceUrl"] = address.ServiceUrl,
            ["TeamId"] = address.TeamId,
            ["TenantId"] = address.TenantId,
        }, TableUpdateMode.Replace, ct);
        known = new Known(address, clock.GetUtcNow() + RereadAfter);
    }
}
