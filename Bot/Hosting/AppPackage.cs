using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SupportBot.Hosting;

public sealed record AppPackageParameters(Guid BotId, string Host, Guid? AppId = null, Guid? SsoAppId = null,
    string Version = "1.0.0", string DeveloperName = "IT Help Desk")
{
    // Without --app-id the Teams app id follows from the bot id, so a rebuilt package updates the same app in Teams.
    public Guid TeamsAppId => AppId ?? DeriveAppId(BotId);

    public IReadOnlyDictionary<string, string> Placeholders => new Dictionary<string, string>
    {
        ["APP_ID"] = TeamsAppId.ToString(),
        ["BOT_ID"] = BotId.ToString(),
        ["SSO_APP_ID"] = (SsoAppId ?? BotId).ToString(),
        ["HOST"] = Host,
        ["VERSION"] = Version,
        ["DEVELOPER_NAME"] = DeveloperName,
    };

    static Guid DeriveAppId(Guid botId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("supportbot-teams-app:" + botId));
        hash[7] = (byte)((hash[7] & 0x0F) | 0x50); // a name-based (version 5 style) GUID
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16));
    }
}

// The Teams app package: manifest/manifest.json with its placeholders filled, and the two icons, as one zip.
public static partial class AppPackage
{
    public const string ManifestFile = "manifest.json";
    public static readonly string[] Icons = ["color.png", "outline.png"];

    [GeneratedRegex(@"\{\{([A-Z_]+)\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex SemanticVersion();

    public static string TemplateDirectory => Path.Combine(AppContext.BaseDirectory, "manifest");

    // Every problem with the parameters, in words an admin can act on; empty when the package can be built.
    public static IReadOnlyList<string> Check(AppPackageParameters parameters)
    {
        var problems = new List<string>();
        if (parameters.BotId == Guid.Empty)
            problems.Add("--bot-id must be the bot's Microsoft App ID (a GUID): the BOT_ID output of infra/main.bicep.");
        if (!HostName().IsMatch(parameters.Host))
            problems.Add($"--host must be a host name only, e.g. app-supportbot-abc.azurewebsites.net (no https://, no path): got '{parameters.Host}'.");
        if (!SemanticVersion().IsMatch(parameters.Version))
            problems.Add($"--version must look like 1.0.0: got '{parameters.Version}'.");
        if (parameters.DeveloperName.Length is 0 or > 32)
            problems.Add("--developer-name must be 1 to 32 characters.");
        return problems;
    }

    public static string RenderManifest(string template, AppPackageParameters parameters)
    {
        var values = parameters.Placeholders;
        var rendered = Placeholder().Replace(template, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? System.Text.Json.JsonEncodedText.Encode(value).ToString()
            : throw new InvalidOperationException($"manifest.json has an unknown placeholder {m.Value}."));
        return rendered;
    }

    public static async Task WriteAsync(string templateDirectory, AppPackageParameters parameters, Stream output, CancellationToken ct)
    {
        var problems = Check(parameters);
        if (problems.Count > 0)
            throw new ArgumentException(string.Join(Environment.NewLine, problems));
        var manifest = RenderManifest(await File.ReadAllTextAsync(Path.Combine(templateDirectory, ManifestFile), ct), parameters);

        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        await using (var entry = await zip.CreateEntry(ManifestFile).OpenAsync(ct))
            await entry.WriteAsync(Encoding.UTF8.GetBytes(manifest), ct);
        foreach (var icon in Icons)
            await zip.CreateEntryFromFileAsync(Path.Combine(templateDirectory, icon), icon, ct);
    }
}
