using System.Diagnostics;

namespace SupportBot.Tests.Infrastructure;

public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;
}

// A command-line tool run to completion (bicep, node, the bot's own verbs), its output captured.
public static class ToolRun
{
    public static async Task<ToolResult> RunAsync(
        string file, IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestPaths.RepoRoot,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish:\n{await stdout}{await stderr}");
        }
        return new(process.ExitCode, await stdout, await stderr);
    }

    // The bot built next to the tests, run as its own process the way App Service runs it (from its own folder).
    public static Task<ToolResult> BotAsync(IEnumerable<string> args, IDictionary<string, string?>? environment = null, TimeSpan? timeout = null) =>
        RunAsync("dotnet", new[] { Path.Combine(AppContext.BaseDirectory, "SupportBot.dll") }.Concat(args), environment, timeout, AppContext.BaseDirectory);
}
