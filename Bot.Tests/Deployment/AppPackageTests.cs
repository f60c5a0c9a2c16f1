using System.IO.Compression;
using System.Text.Json.Nodes;
using SupportBot.Hosting;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Deployment;

// The Teams app package as the `manifest` verb builds it, checked by the official schema (npm @microsoft/app-manifest).
public sealed class AppPackageTests
{
    static readonly Guid BotId = Guid.Parse("8f0c2a51-3b7e-4d4a-9a57-1c2e3f4a5b6c");
    const string Host = "app-supportbot-x7k2.azurewebsites.net";

    [Fact]
    public async Task Package_holds_exactly_the_manifest_and_two_icons_of_the_right_sizes()
    {
        using var zip = await BuildAsync(new AppPackageParameters(BotId, Host));

        Assert.Equal(["color.png", "manifest.json", "outline.png"], zip.Entries.Select(e => e.FullName).Order());
        var color = Png.Read(zip.GetEntry("color.png")!);
        var outline = Png.Read(zip.GetEntry("outline.png")!);
        Assert.Equal((192, 192), (color.Width, color.Height));
        Assert.Equal((32, 32), (outline.Width, outline.Height));
        // Teams: the outline icon is white on transparent, nothing else.
        Assert.All(outline.Pixels, p => Assert.True(p.A == 0 || (p.R, p.G, p.B) == (255, 255, 255), $"outline pixel {p}"));
        Assert.Contains(outline.Pixels, p => p.A == 0);
        Assert.Contains(outline.Pixels, p => p.A == 255);
        Assert.All(color.Pixels, p => Assert.Equal(255, p.A));
    }

    [Fact]
    public async Task Manifest_has_no_placeholder_left_and_carries_the_parameters()
    {
        var appId = Guid.NewGuid();
        var manifest = await ManifestAsync(new AppPackageParameters(BotId, Host, AppId: appId, Version: "1.2.3"));
        var text = manifest.ToJsonString();

        Assert.DoesNotContain("{{", text);
        Assert.DoesNotContain("}}", text);
        Assert.Equal(appId.ToString(), (string?)manifest["id"]);
        Assert.Equal("1.2.3", (string?)manifest["version"]);
        Assert.Equal(BotId.ToString(), (string?)manifest["bots"]![0]!["botId"]);
        Assert.Equal(BotId.ToString(), (string?)manifest["composeExtensions"]![0]!["botId"]);
        Assert.Equal([Host], manifest["validDomains"]!.AsArray().Select(d => (string?)d));
        Assert.Equal(BotId.ToString(), (string?)manifest["webApplicationInfo"]!["id"]);
        Assert.Equal($"api://{Host}/{BotId}", (string?)manifest["webApplicationInfo"]!["resource"]);
    }

    [Fact]
    public async Task Manifest_offers_the_bot_everywhere_with_its_commands_the_message_action_and_the_dashboard_tab()
    {
        var manifest = await ManifestAsync(new AppPackageParameters(BotId, Host));

        var bot = manifest["bots"]![0]!;
        Assert.Equal(["personal", "team", "groupChat"], bot["scopes"]!.AsArray().Select(s => (string?)s));
        var commands = bot["commandLists"]!.AsArray().SelectMany(l => l!["commands"]!.AsArray()).Select(c => (string?)c!["title"]).ToHashSet();
        Assert.Superset(new HashSet<string?> { "help", "my tickets", "status", "queue", "mine", "stats", "setup", "oncall" }, commands);

        var action = Assert.Single(manifest["composeExtensions"]![0]!["commands"]!.AsArray())!;
        Assert.Equal("fileAsTicket", (string?)action["id"]);
        Assert.Equal("action", (string?)action["type"]);
        Assert.True((bool?)action["fetchTask"]);
        Assert.Equal(["message"], action["context"]!.AsArray().Select(c => (string?)c));

        var dashboard = Assert.Single(manifest["staticTabs"]!.AsArray(), t => (string?)t!["entityId"] == "dashboard")!;
        Assert.Equal($"https://{Host}/dashboard?inTeams=1&theme={{theme}}", (string?)dashboard["contentUrl"]); // Teams fills in {theme}
        Assert.Equal($"https://{Host}/dashboard", (string?)dashboard["websiteUrl"]);
        Assert.Equal(["personal"], dashboard["scopes"]!.AsArray().Select(s => (string?)s));
    }

    [Fact]
    public async Task Manifest_validates_against_the_official_schema_with_zero_errors()
    {
        var path = Path.Combine(TestPaths.OutputDirectory("app-package"), "manifest.json");
        await File.WriteAllTextAsync(path, (await ManifestAsync(new AppPackageParameters(BotId, Host, SsoAppId: Guid.NewGuid()))).ToJsonString());

        var result = await ValidateAsync(path);

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("0 schema error(s) against https://developer.microsoft.com/en-us/json-schemas/teams/v1.24/", result.StandardOutput);
    }

    [Fact]
    public async Task Schema_check_fails_a_broken_manifest()
    {
        var manifest = await ManifestAsync(new AppPackageParameters(BotId, Host));
        manifest["bots"]![0]!.AsObject().Remove("botId");
        manifest["composeExtensions"]![0]!["commands"]![0]!["context"] = new JsonArray("chat");
        var path = Path.Combine(TestPaths.OutputDirectory("app-package"), "broken-manifest.json");
        await File.WriteAllTextAsync(path, manifest.ToJsonString());

        var result = await ValidateAsync(path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("must have required property 'botId'", result.StandardOutput);
        Assert.Contains("/composeExtensions/0/commands/0/context/0", result.StandardOutput);
    }

    [Fact]
    public void Without_an_app_id_the_same_bot_always_gets_the_same_Teams_app_id()
    {
        var first = new AppPackageParameters(BotId, Host).TeamsAppId;

        Assert.Equal(first, new AppPackageParameters(BotId, "other.example.com").TeamsAppId);
        Assert.NotEqual(first, new AppPackageParameters(Guid.NewGuid(), Host).TeamsAppId);
        Assert.NotEqual(BotId, first);
    }

    [Theory]
    [InlineData("https://app.azurewebsites.net", "--host")]
    [InlineData("app.azurewebsites.net/api/messages", "--host")]
    [InlineData("localhost", "--host")]
    public void Bad_parameters_are_named(string host, string named)
    {
        var problem = Assert.Single(AppPackage.Check(new AppPackageParameters(BotId, host)));
        Assert.StartsWith(named, problem);
    }

    [Fact]
    public async Task Manifest_verb_writes_the_zip_and_refuses_a_url_for_a_host()
    {
        var output = Path.Combine(TestPaths.OutputDirectory("app-package"), $"verb-{Guid.NewGuid():N}", "appPackage.zip");

        var built = await ToolRun.BotAsync(["manifest", "--bot-id", BotId.ToString(), "--host", Host, "--out", output]);
        var refused = await ToolRun.BotAsync(["manifest", "--bot-id", BotId.ToString(), "--host", $"https://{Host}/", "--out", output + ".bad"]);

        Assert.True(built.ExitCode == 0, built.Output);
        using (var zip = ZipFile.OpenRead(output))
            Assert.Equal(3, zip.Entries.Count);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("error: --host must be a host name only", refused.StandardError);
        Assert.False(File.Exists(output + ".bad"));
    }

    static Task<ToolResult> ValidateAsync(string manifestPath) =>
        ToolRun.RunAsync("node", [Path.Combine(TestPaths.RepoRoot, "tools", "validate-manifest.cjs"), manifestPath]);

    static async Task<ZipArchive> BuildAsync(AppPackageParameters parameters)
    {
        var bytes = new MemoryStream();
        await AppPackage.WriteAsync(AppPackage.TemplateDirectory, parameters, bytes, CancellationToken.None);
        bytes.Position = 0;
        return new ZipArchive(bytes, ZipArchiveMode.Read);
    }

    static async Task<JsonNode> ManifestAsync(AppPackageParameters parameters)
    {
        using var zip = await BuildAsync(parameters);
        await using var stream = zip.GetEntry("manifest.json")!.Open();
        return (await JsonNode.ParseAsync(stream))!;
    }
}

// Just enough PNG decoding for the icon checks: 8-bit RGBA, non-interlaced, any row filter.
public sealed record Png(int Width, int Height, IReadOnlyList<Png.Rgba> Pixels)
{
    public readonly record struct Rgba(byte R, byte G, byte B, byte A);

    public static Png Read(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Read(buffer.ToArray());
    }

    public static Png Read(byte[] bytes)
    {
        Assert.Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        int width = 0, height = 0;
        var compressed = new MemoryStream();
        for (var at = 8; at < bytes.Length;)
        {
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(bytes, at + 4, 4);
            var data = bytes.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data);
                height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.True(data[8] == 8 && data[9] == 6 && data[12] == 0, "icons are 8-bit RGBA, not interlaced");
            }
            else if (type == "IDAT")
                compressed.Write(data);
            at += 12 + length;
        }
        compressed.Position = 0;
        using var inflate = new ZLibStream(compressed, CompressionMode.Decompress);
        var raw = new MemoryStream();
        inflate.CopyTo(raw);
        return new(width, height, Unfilter(raw.ToArray(), width, height));
    }

    static List<Rgba> Unfilter(byte[] raw, int width, int height)
    {
        var stride = width * 4;
        var previous = new byte[stride];
        var pixels = new List<Rgba>(width * height);
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            var row = raw.AsSpan(y * (stride + 1) + 1, stride).ToArray();
            for (var i = 0; i < stride; i++)
            {
                int left = i >= 4 ? row[i - 4] : 0, up = previous[i], upLeft = i >= 4 ? previous[i - 4] : 0;
                row[i] = (byte)(row[i] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"PNG filter {filter}"),
                });
            }
            for (var x = 0; x < width; x++)
                pixels.Add(new(row[x * 4], row[x * 4 + 1], row[x * 4 + 2], row[x * 4 + 3]));
            previous = row;
        }
        return pixels;
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
