using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Deployment;

// infra/main.bicep through the real bicep binary (NuGet Azure.Bicep.CommandLine.linux-x64), then the compiled ARM
// template read for what Bicep does not type-check.
public sealed class InfraTests
{
    static readonly string Bicep = typeof(InfraTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "BicepPath").Value!;
    static readonly string MainBicep = Path.Combine(TestPaths.RepoRoot, "infra", "main.bicep");

    const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";

    [Fact]
    public async Task Lint_reports_nothing_under_the_committed_rules()
    {
        var lint = await RunBicepAsync("lint", MainBicep);

        Assert.True(lint.ExitCode == 0 && lint.Output.Trim().Length == 0, lint.Output);
    }

    [Fact]
    public async Task The_committed_rules_turn_on_the_recommended_rules_as_errors()
    {
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "infra", "bicepconfig.json")))!;
        var rules = config["analyzers"]!["core"]!["rules"]!.AsObject();

        // Off by default in Bicep: each must be on here.
        foreach (var rule in new[] { "use-recent-api-versions", "use-resource-symbol-reference", "use-secure-value-for-secure-inputs",
                     "explicit-values-for-loc-params", "no-deployments-resources", "no-conflicting-metadata" })
            Assert.Equal("error", rules[rule]?["level"]?.GetValue<string>());
        Assert.All(rules, r => Assert.Equal("error", r.Value!["level"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Lint_fails_a_template_that_breaks_a_rule()
    {
        var dir = TestPaths.OutputDirectory("bicep-lint");
        File.Copy(Path.Combine(TestPaths.RepoRoot, "infra", "bicepconfig.json"), Path.Combine(dir, "bicepconfig.json"), overwrite: true);
        var broken = Path.Combine(dir, "broken.bicep");
        await File.WriteAllTextAsync(broken, "param unused string = 'x'\n");

        var lint = await RunBicepAsync("lint", broken);

        Assert.NotEqual(0, lint.ExitCode);
        Assert.Contains("no-unused-params", lint.Output);
    }

    [Fact]
    public async Task Compiled_template_deploys_a_bot_that_runs_on_its_managed_identity()
    {
        var template = await CompileAsync();
        var resources = template["resources"]!.AsArray().Select(r => r!.AsObject()).ToList();
        JsonObject One(string type) => Assert.Single(resources, r => (string?)r["type"] == type);

        var bot = One("Microsoft.BotService/botServices");
        Assert.Equal("azurebot", (string?)bot["kind"]);
        Assert.Equal("global", (string?)bot["location"]);
        Assert.Equal("UserAssignedMSI", (string?)bot["properties"]!["msaAppType"]);
        Assert.Matches(@"^\[format\('https://\{0\}/api/messages', reference\(resourceId\('Microsoft\.Web/sites'", (string?)bot["properties"]!["endpoint"]);
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities'.*\)\.clientId\]$", (string?)bot["properties"]!["msaAppId"]);
        Assert.Matches(@"^\[resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities'", (string?)bot["properties"]!["msaAppMSIResourceId"]);
        Assert.False(string.IsNullOrEmpty((string?)bot["properties"]!["msaAppTenantId"]));

        var teams = One("Microsoft.BotService/botServices/channels");
        Assert.Equal("MsTeamsChannel", (string?)teams["properties"]!["channelName"]);
        Assert.True((bool?)teams["properties"]!["properties"]!["isEnabled"]);

        var site = One("Microsoft.Web/sites");
        Assert.True((bool?)site["properties"]!["httpsOnly"]);
        Assert.Equal("UserAssigned", (string?)site["identity"]!["type"]);
        Assert.Contains("Microsoft.ManagedIdentity/userAssignedIdentities", Assert.Single(site["identity"]!["userAssignedIdentities"]!.AsObject()).Key);
        var config = site["properties"]!["siteConfig"]!;
        Assert.Equal("/readyz", (string?)config["healthCheckPath"]);
        Assert.True((bool?)config["alwaysOn"]);
        Assert.Equal("DOTNETCORE|10.0", (string?)config["linuxFxVersion"]);
        Assert.Equal("Disabled", (string?)config["ftpsState"]);
        Assert.Equal("linux", (string?)One("Microsoft.Web/serverfarms")["kind"]);
        Assert.True((bool?)One("Microsoft.Web/serverfarms")["properties"]!["reserved"]);

        var storage = One("Microsoft.Storage/storageAccounts")["properties"]!;
        Assert.Equal("TLS1_2", (string?)storage["minimumTlsVersion"]);
        Assert.False((bool?)storage["allowSharedKeyAccess"]);
        Assert.False((bool?)storage["allowBlobPublicAccess"]);
        Assert.True((bool?)storage["supportsHttpsTrafficOnly"]);

        var tablesRole = Assert.Single(resources, r => (string?)r["type"] == "Microsoft.Authorization/roleAssignments"
            && ((string?)r["scope"])!.Contains("Microsoft.Storage/storageAccounts"));
        Assert.Equal($"[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', variables('storageTableDataContributor'))]", (string?)tablesRole["properties"]!["roleDefinitionId"]);
        Assert.Equal(StorageTableDataContributor, (string?)template["variables"]!["storageTableDataContributor"]);
        Assert.Matches(@"^\[reference\(resourceId\('Microsoft\.ManagedIdentity/userAssignedIdentities'.*\)\.principalId\]$", (string?)tablesRole["properties"]!["principalId"]);
        Assert.Equal("ServicePrincipal", (string?)tablesRole["properties"]!["principalType"]);

        Assert.Single(resources, r => (string?)r["type"] == "Microsoft.Insights/components");
        Assert.Single(resources, r => (string?)r["type"] == "Microsoft.OperationalInsights/workspaces");
        Assert.Equal(["AZURE_TENANT_ID", "BOT_AZURE_APP_SERVICE_RESOURCE_ID", "BOT_DOMAIN", "BOT_ENDPOINT", "BOT_ID", "WEB_APP_NAME"],
            template["outputs"]!.AsObject().Select(o => o.Key).Order());
    }

    [Fact]
    public async Task Web_app_settings_name_the_identity_and_the_table_endpoint_and_hold_no_secret()
    {
        var site = (await CompileAsync())["resources"]!.AsArray().Single(r => (string?)r!["type"] == "Microsoft.Web/sites")!;
        var settings = (string)site["properties"]!["siteConfig"]!["appSettings"]!;
        // Each setting is "createObject('name', 'X', 'value', <expression>)" inside one concat(...) expression.
        string? Setting(string name) =>
            Regex.Match(settings, $@"createObject\('name', '{Regex.Escape(name)}', 'value', (?<v>.*?)\)(, createObject|\), variables)") is { Success: true } m
                ? m.Groups["v"].Value : null;

        Assert.Equal("'UserAssignedMSI'", Setting("MicrosoftAppType"));
        Assert.Matches(@"userAssignedIdentities.*\)\.clientId$", Setting("MicrosoftAppId"));
        Assert.Matches(@"userAssignedIdentities.*\)\.clientId$", Setting("AZURE_CLIENT_ID"));
        Assert.NotNull(Setting("MicrosoftAppTenantId"));
        Assert.Matches(@"storageAccounts.*\)\.primaryEndpoints\.table$", Setting("ConnectionStrings__Tables"));
        Assert.DoesNotContain("MicrosoftAppPassword", settings);
        Assert.DoesNotContain("listKeys", settings);
        Assert.DoesNotContain("AccountKey", settings);
    }

    [Fact]
    public async Task Parameters_file_sets_only_parameters_the_template_declares()
    {
        var declared = (await CompileAsync())["parameters"]!.AsObject().Select(p => p.Key).ToHashSet();
        var file = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "infra", "main.parameters.json")))!;

        Assert.All(file["parameters"]!.AsObject(), p => Assert.Contains(p.Key, declared));
    }

    static async Task<JsonNode> CompileAsync()
    {
        var build = await RunBicepAsync("build", MainBicep, "--stdout");
        Assert.True(build.ExitCode == 0 && build.StandardError.Trim().Length == 0, build.Output);
        return JsonNode.Parse(build.StandardOutput)!;
    }

    static Task<ToolResult> RunBicepAsync(params string[] args)
    {
        if (!File.Exists(Bicep))
            throw new InvalidOperationException($"{Bicep} is missing: restore Bot.Tests (it downloads Azure.Bicep.CommandLine.linux-x64).");
        // NuGet may unpack it without the execute bit (the package is the linux-x64 build).
        if (!OperatingSystem.IsWindows() && !File.GetUnixFileMode(Bicep).HasFlag(UnixFileMode.UserExecute))
            File.SetUnixFileMode(Bicep, File.GetUnixFileMode(Bicep) | UnixFileMode.UserExecute);
        // Offline: no telemetry, no module registry look-ups.
        return ToolRun.RunAsync(Bicep, args, new Dictionary<string, string?> { ["BICEP_TRACING_ENABLED"] = "false", ["BICEP_TELEMETRY_ENABLED"] = "false" });
    }
}
