using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SupportBot.Protocol;

namespace SupportBot.Technicians;

// Who may act as a technician: the ids in Support:Technicians, and the members of the team that holds the technicians'
// channel (read through the Connector's paged members API, cached briefly). Checked on the server for every action.
public sealed class TechnicianDirectory(IOptions<TechnicianOptions> options, TechnicianChannel channel, ConnectorClient connector, OnCallRota rota, TimeProvider clock, ILogger<TechnicianDirectory> logger)
{
    static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(5);
    readonly ConcurrentDictionary<string, (DateTimeOffset At, IReadOnlyList<TeamsChannelAccount> Members)> teams = new();

    // Only technicians named in configuration may move the tickets channel (and so decide whose team counts).
    public bool IsConfiguredTechnician(ChannelAccount? user) =>
        user?.Id is { } id && (options.Value.Technicians ?? []).Any(t => t == id || (user.AadObjectId is { } aad && string.Equals(t, aad, StringComparison.OrdinalIgnoreCase)));

    public async Task<bool> IsTechnicianAsync(ChannelAccount? user, string? serviceUrl, CancellationToken ct)
    {
        if (user?.Id is null) return false;
        var configured = options.Value.Technicians ?? [];
        if (configured.Contains(user.Id) || (user.AadObjectId is { } aad && configured.Contains(aad, StringComparer.OrdinalIgnoreCase)))
            return true;
        var members = await TeamMembersAsync(serviceUrl, ct);
        return members.Any(m => m.Id == user.Id || (user.AadObjectId is not null && string.Equals(m.AadObjectId, user.AadObjectId, StringComparison.OrdinalIgnoreCase)));
    }

    // Everyone a ticket can be assigned to: the configured technicians and the technicians' team.
    public async Task<IReadOnlyList<TeamsChannelAccount>> ListAsync(string? serviceUrl, CancellationToken ct)
    {
        var members = (await TeamMembersAsync(serviceUrl, ct)).ToList();
        foreach (var id in options.Value.Technicians ?? [])
            if (!members.Any(m => m.Id == id || string.Equals(m.AadObjectId, id, StringComparison.OrdinalIgnoreCase)))
                members.Add(new TeamsChannelAccount { Id = id, Name = (options.Value.OnCall ?? []).FirstOrDefault(o => o.Id == id)?.Name ?? id });
        return members;
    }

    // Who is on call now, ready to mention. Mentions need Teams ids, so AAD object ids are looked up in the technicians'
    // team; anyone not found comes back without an Id, to be named rather than mentioned.
    public async Task<IReadOnlyList<ChannelAccount>> OnCallAsync(string? serviceUrl, CancellationToken ct) =>
        await MentionableAsync(rota.At(clock.GetUtcNow()), serviceUrl, ct);

    public async Task<IReadOnlyList<ChannelAccount>> MentionableAsync(IReadOnlyList<OnCallPerson> people, string? serviceUrl, CancellationToken ct)
    {
        if (people.Count == 0) return [];
        var members = people.Any(p => IsAadId(p.Id)) ? await TeamMembersAsync(serviceUrl, ct) : [];
        return [.. people.Select(p =>
        {
            if (!IsAadId(p.Id)) return new ChannelAccount { Id = p.Id, Name = p.Name ?? p.Id };
            var member = members.FirstOrDefault(m => m.Id is not null && string.Equals(m.AadObjectId, p.Id, StringComparison.OrdinalIgnoreCase));
            return new ChannelAccount { Id = member?.Id, Name = p.Name ?? member?.Name ?? p.Id, AadObjectId = p.Id };
        })];
    }

    // The Teams ids (at most 60, MRIs not AAD ids) that get the technicians' view of a card: on call now, then the
    // configured technicians, then the team.
    public async Task<IReadOnlyList<string>> CardUserIdsAsync(string? serviceUrl, CancellationToken ct)
    {
        var onCall = (await OnCallAsync(serviceUrl, ct)).Select(m => m.Id).OfType<string>();
        var all = (await ListAsync(serviceUrl, ct)).Select(m => m.Id).OfType<string>();
        return [.. onCall.Concat(options.Value.Technicians ?? []).Concat(all).Where(id => !IsAadId(id)).Distinct().Take(60)];
    }

    static bool IsAadId(string id) => Guid.TryParse(id, out _);

    async Task<IReadOnlyList<TeamsChannelAccount>> TeamMembersAsync(string? serviceUrl, CancellationToken ct)
    {
        var address = await channel.FindAsync(ct);
        var team = address?.TeamId;
        if (team is null) return [];
        if (teams.TryGetValue(team, out var cached) && clock.GetUtcNow() - cached.At < CacheFor) return cached.Members;
        try
        {
            var members = new List<TeamsChannelAccount>();
            string? next = null;
            for (var page = 0; page < 50; page++)
            {
                var result = await connector.GetPagedMembersAsync(address!.ServiceUrl ?? serviceUrl, team, 200, next, ct);
                members.AddRange(result.Members ?? []);
                next = result.ContinuationToken;
                if (string.IsNullOrEmpty(next)) break;
            }
            teams[team] = (clock.GetUtcNow(), members);
            return members;
        }
        catch (Exception ex) when (ex is ConnectorException or HttpRequestException or System.Text.Json.JsonException)
        {
            logger.LogWarning("Could not read the technicians' team members: {Error}", ex.GetType().Name);
            return cached.Members ?? [];
        }
    }
}
