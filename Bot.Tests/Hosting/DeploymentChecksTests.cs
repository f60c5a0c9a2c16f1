using Azure.Identity;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using SupportBot.Hosting;

namespace SupportBot.Tests.Hosting;

public sealed class DeploymentChecksTests
{
    // What infra/main.bicep puts in the web app's settings.
    public static Dictionary<string, string?> AzureSettings() => new()
    {
        ["MicrosoftAppType"] = "UserAssignedMSI",
        ["MicrosoftAppId"] = "6d1f3c52-8a4b-4e8e-9b0f-2c7d5e6a1b34",
        ["MicrosoftAppTenantId"] = "72f988bf-86f1-41af-91ab-2d7cd011db47",
        ["ConnectionStrings:Tables"] = "https://stsupportbotx7k2.table.core.windows.net/",
        ["Support:TechnicianChannelId"] = "19:abc@thread.tacv2",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/",
    };

    static IReadOnlyList<DeploymentProblem> Check(Dictionary<string, string?> settings, string environment = "Production") =>
        DeploymentChecks.Check(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), new HostingEnvironment { EnvironmentName = environment });

    static Dictionary<string, string?> Without(string key, Dictionary<string, string?>? settings = null)
    {
        settings ??= AzureSettings();
        settings.Remove(key);
        return settings;
    }

    [Fact]
    public void The_settings_the_infra_deploys_pass() => Assert.Empty(Check(AzureSettings()));

    [Fact]
    public void Development_checks_nothing() => Assert.Empty(Check([], Environments.Development));

    [Theory]
    [InlineData("MicrosoftAppId")]
    [InlineData("MicrosoftAppTenantId")]
    [InlineData("ConnectionStrings:Tables")]
    public void A_missing_setting_the_bot_cannot_run_without_is_fatal_and_named(string setting)
    {
        var problem = Assert.Single(Check(Without(setting)));

        Assert.Equal(setting, problem.Setting);
        Assert.True(problem.Fatal);
        Assert.Contains("is not set", problem.Problem);
    }

    [Fact]
    public void Every_missing_piece_is_reported_at_once()
    {
        var problems = Check(new() { ["MicrosoftAppType"] = "SingleTenant" });

        Assert.Equal(["MicrosoftAppId", "MicrosoftAppTenantId", "ConnectionStrings:Tables"], problems.Where(p => p.Fatal).Select(p => p.Setting));
        Assert.Equal(["Support:TechnicianChannelId", "APPLICATIONINSIGHTS_CONNECTION_STRING"], problems.Where(p => !p.Fatal).Select(p => p.Setting));
    }

    [Fact]
    public void A_secret_bot_without_its_secret_cannot_reply()
    {
        var settings = AzureSettings();
        settings["MicrosoftAppType"] = "MultiTenant";

        Assert.Equal("MicrosoftAppPassword", Assert.Single(Check(settings)).Setting);
        settings["MicrosoftAppPassword"] = "a-secret";
        Assert.Empty(Check(settings));
    }

    [Fact]
    public void A_secret_left_beside_a_managed_identity_is_a_warning()
    {
        var settings = AzureSettings();
        settings["MicrosoftAppPassword"] = "left-over";

        var problem = Assert.Single(Check(settings));
        Assert.Equal(("MicrosoftAppPassword", false), (problem.Setting, problem.Fatal));
    }

    [Theory]
    [InlineData("http://stsupportbot.table.core.windows.net/", true)]
    [InlineData("not a connection string", true)]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=st;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net", false)]
    public void A_table_setting_that_cannot_work_or_holds_a_key_is_named(string tables, bool fatal)
    {
        var settings = AzureSettings();
        settings["ConnectionStrings:Tables"] = tables;

        var problem = Assert.Single(Check(settings));
        Assert.Equal(("ConnectionStrings:Tables", fatal), (problem.Setting, problem.Fatal));
    }

    [Fact]
    public void Problems_never_repeat_a_configured_value()
    {
        const string pastedSecret = "Qx8~pAsTeD.sEcReT_value";
        var settings = AzureSettings();
        settings["MicrosoftAppId"] = pastedSecret;
        settings["MicrosoftAppType"] = pastedSecret;
        settings["ConnectionStrings:Tables"] = $"AccountName=st;AccountKey={pastedSecret}";

        var problems = Check(settings);

        Assert.Contains(problems, p => p.Setting == "MicrosoftAppId" && p.Fatal);
        Assert.Contains(problems, p => p.Setting == "MicrosoftAppType" && p.Fatal);
        Assert.All(problems, p => Assert.DoesNotContain("sEcReT", p.Problem));
        var error = new StringWriter();
        DeploymentChecks.Report(problems, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, error);
        Assert.DoesNotContain("sEcReT", error.ToString());
    }

    [Fact]
    public void Report_writes_one_line_per_fatal_problem_and_says_where_to_read_more()
    {
        var error = new StringWriter();

        var passes = DeploymentChecks.Report(Check(Without("MicrosoftAppTenantId", Without("ConnectionStrings:Tables"))),
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, error);

        Assert.False(passes);
        var lines = error.ToString().TrimEnd().Split(Environment.NewLine);
        Assert.Equal("SupportBot cannot start: 2 configuration problem(s). See README.md, section \"Deploy to Azure\".", lines[0]);
        Assert.StartsWith("  MicrosoftAppTenantId is not set", lines[1]);
        Assert.StartsWith("  ConnectionStrings:Tables is not set", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void A_managed_identity_bot_reaches_Azure_as_that_identity()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(AzureSettings()).Build();
        Assert.IsType<ManagedIdentityCredential>(AzureIdentity.For(configuration));

        var secretBot = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["MicrosoftAppType"] = "MultiTenant" }).Build();
        Assert.IsType<DefaultAzureCredential>(AzureIdentity.For(secretBot));
    }
}
