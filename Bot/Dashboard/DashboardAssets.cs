using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace SupportBot.Dashboard;

// The stylesheet and the scripts, embedded in the bot at build (teams-js from node_modules, pinned by package-lock.json),
// served with a content hash in their URL so they can be cached for good.
public static class DashboardAssets
{
    sealed record Asset(byte[] Content, string ContentType, string Hash);

    static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static string Css => Url("dashboard.css");
    public static string TabScript => Url("tab.js");
    public static string TeamsScript => Url("teams-js.js");

    static string Url(string name) => Assets.TryGetValue(name, out var a) ? $"/dashboard/assets/{name}?v={a.Hash}" : $"/dashboard/assets/{name}";

    public static IResult Serve(string name, HttpContext http)
    {
        if (!Assets.TryGetValue(name, out var asset)) return Results.NotFound();
        http.Response.Headers.CacheControl = http.Request.Query.ContainsKey("v") ? "public, max-age=31536000, immutable" : "no-cache";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(asset.Content, asset.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{asset.Hash}\""));
    }

    static FrozenDictionary<string, Asset> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var found = new Dictionary<string, Asset>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("dashboard/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var name = resource["dashboard/".Length..];
            var type = name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
            found[name] = new Asset(bytes, type, Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        }
        return found.ToFrozenDictionary();
    }
}
