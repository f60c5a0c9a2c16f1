using System.CommandLine;

namespace SupportBot.Hosting;

// `manifest --bot-id <guid> --host <name> [--app-id <guid>] [--sso-app-id <guid>] [--version 1.0.0] [--out appPackage.zip]`:
// the Teams app package to upload in the Teams admin center or the Developer Portal.
public static class ManifestCommand
{
    public static Command Create()
    {
        var botId = new Option<Guid>("--bot-id") { Description = "The bot's Microsoft App ID: BOT_ID from the infra deployment.", Required = true };
        var host = new Option<string>("--host") { Description = "The bot's host name: BOT_DOMAIN from the infra deployment.", Required = true };
        var appId = new Option<Guid?>("--app-id") { Description = "The Teams app id (default: derived from the bot id, the same on every build)." };
        var ssoAppId = new Option<Guid?>("--sso-app-id") { Description = "The Entra app for the tab's sign-in (webApplicationInfo); default the bot id." };
        var version = new Option<string>("--version") { Description = "The app version; raise it for every new upload.", DefaultValueFactory = _ => "1.0.0" };
        var developer = new Option<string>("--developer-name") { Description = "Shown in Teams as the publisher.", DefaultValueFactory = _ => "IT Help Desk" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the zip.", DefaultValueFactory = _ => new FileInfo("appPackage.zip") };
        var command = new Command("manifest", "Build the Teams app package (manifest.json and icons) from manifest/.")
        {
            botId, host, appId, ssoAppId, version, developer, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var parameters = new AppPackageParameters(parse.GetValue(botId), parse.GetValue(host)!.Trim(), parse.GetValue(appId),
                parse.GetValue(ssoAppId), parse.GetValue(version)!, parse.GetValue(developer)!);
            var problems = AppPackage.Check(parameters);
            foreach (var problem in problems)
                Console.Error.WriteLine($"error: {problem}");
            if (problems.Count > 0)
                return 2;
            var file = parse.GetValue(output)!;
            file.Directory?.Create();
            await using (var zip = file.Create())
                await AppPackage.WriteAsync(AppPackage.TemplateDirectory, parameters, zip, ct);
            Console.WriteLine($"wrote {file.FullName}: Teams app {parameters.TeamsAppId}, bot {parameters.BotId}, https://{parameters.Host}");
            return 0;
        });
        return command;
    }
}
