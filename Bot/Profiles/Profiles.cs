using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using SupportBot.Protocol;
using SupportBot.Tickets;

namespace SupportBot.Profiles;

public sealed record DirectoryProfile(string? Department, string? JobTitle, string? OfficeLocation);

// The organisation's directory (Microsoft Graph), for what Teams does not say: department, job title, office.
public interface IDirectory
{
    Task<DirectoryProfile?> FindAsync(string aadObjectId, CancellationToken ct);
}

public sealed class NoDirectory : IDirectory
{
    public Task<DirectoryProfile?> FindAsync(string aadObjectId, CancellationToken ct) => Task.FromResult<DirectoryProfile?>(null);
}

// Needs the application permission User.Read.All (admin consent) for the bot's identity.
public sealed class GraphDirectory(GraphServiceClient graph) : IDirectory
{
    public async Task<DirectoryProfile?> FindAsync(string aadObjectId, CancellationToken ct)
    {
        var user = await graph.Users[aadObjectId].GetAsync(r => r.QueryParameters.Select = ["department", "jobTitle", "officeLocation"], ct);
        return user is null ? null : new DirectoryProfile(user.Department, user.JobTitle, user.OfficeLocation);
    }
}

public sealed class GraphOptions
{
    // Off by default: turning it on needs User.Read.All consented for the bot's app registration or managed identity.
    public bool Enabled { get; set; }
}

// Who is asking, from everything Teams and the directory already know, so the user is never asked for it.
// Nothing here may stop a ticket being filed: each source is tried briefly and skipped when it fails.
public sealed class ProfileLookup(IDirectory directory, ILogger<ProfileLookup> logger)
{
    static readonly TimeSpan SourceTimeout = TimeSpan.FromSeconds(2);

    public async Task<Person> LookupAsync(TurnContext turn, CancellationToken ct)
    {
        var from = turn.Activity.From!;
        var member = await TryAsync("Teams member", c => turn.GetMemberAsync(from.Id!, c), ct);
        return await EnrichAsync(new Person(from.Id!, from.Name, from.AadObjectId), member, ct);
    }

    // Someone other than the sender, already found in the conversation (their Teams id is known).
    public Task<Person> LookupAsync(TeamsChannelAccount member, CancellationToken ct) =>
        EnrichAsync(new Person(member.Id!, member.Name, member.AadObjectId), member, ct);

    async Task<Person> EnrichAsync(Person person, TeamsChannelAccount? member, CancellationToken ct)
    {
        if (member is not null)
            person = person with
            {
                Name = member.Name ?? person.Name,
                AadObjectId = member.AadObjectId ?? person.AadObjectId,
                Email = member.Email,
                UserPrincipalName = member.UserPrincipalName,
            };
        if (person.AadObjectId is { } aadId && await TryAsync("directory", c => directory.FindAsync(aadId, c), ct) is { } profile)
            person = person with { Department = profile.Department, JobTitle = profile.JobTitle, OfficeLocation = profile.OfficeLocation };
        return person;
    }

    async Task<T?> TryAsync<T>(string source, Func<CancellationToken, Task<T?>> lookup, CancellationToken ct) where T : class
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(SourceTimeout);
        try
        {
            return await lookup(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("Profile lookup from {Source} failed: {Error}", source, ex.GetType().Name);
            return null;
        }
    }
}

public static class ProfileServiceCollectionExtensions
{
    public static IServiceCollection AddProfiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<GraphOptions>(configuration.GetSection("Graph"));
        services.AddSingleton<ProfileLookup>();
        services.AddSingleton<IDirectory>(sp =>
        {
            if (!sp.GetRequiredService<IOptions<GraphOptions>>().Value.Enabled) return new NoDirectory();
            return CreateGraphDirectory(sp.GetRequiredService<IOptions<BotOptions>>().Value);
        });
        return services;
    }

    // Its own method, not inlined: Microsoft.Graph (and its Kiota dependencies) load only when Graph is on, instead of
    // costing every instance their memory when the factory above is compiled.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static IDirectory CreateGraphDirectory(BotOptions bot) =>
        new GraphDirectory(new GraphServiceClient(Credential(bot), ["https://graph.microsoft.com/.default"]));

    // The bot's own identity: its managed identity, certificate or secret.
    static TokenCredential Credential(BotOptions bot) => bot.ResolvedAppType switch
    {
        AppType.UserAssignedMsi => new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(bot.MicrosoftAppId)),
        _ when !string.IsNullOrEmpty(bot.MicrosoftAppCertificatePath) =>
            new ClientCertificateCredential(bot.MicrosoftAppTenantId, bot.MicrosoftAppId, bot.MicrosoftAppCertificatePath),
        _ => new ClientSecretCredential(bot.MicrosoftAppTenantId, bot.MicrosoftAppId, bot.MicrosoftAppPassword),
    };
}
