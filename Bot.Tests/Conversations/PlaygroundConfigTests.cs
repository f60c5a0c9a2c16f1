using SupportBot.Tests.Infrastructure;

namespace SupportBot.Tests.Conversations;

// The Agents Playground reads .m365agentsplayground.yml from the repository root (its working directory).
public sealed class PlaygroundConfigTests
{
    [Fact]
    public async Task The_Playground_shows_the_bot_as_SupportBot_with_the_ids_the_tests_use()
    {
        // No bot is needed to read the config: point it at a port nothing listens on.
        await using var playground = await Playground.StartAsync(new Uri($"http://127.0.0.1:{FreePort.Next()}/api/messages"), connectStream: false);
        var config = playground.Config;

        Assert.Equal("SupportBot", config["bot"]!["name"]!.GetValue<string>());
        Assert.Equal("user-id-0", playground.CurrentUserId);
        Assert.Equal(["user-id-1", "user-id-2", "user-id-3", "user-id-4", "user-id-5"],
            config["users"]!.AsArray().Select(u => u!["id"]!.GetValue<string>()));
        var team = config["teams"]![0]!;
        Assert.Equal("team-id", team["id"]!.GetValue<string>());
        Assert.Equal(["General", "IT Support"], team["channels"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
    }
}
