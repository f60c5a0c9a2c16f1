using System.Diagnostics;
using System.Text;

namespace SupportBot.Tests.Infrastructure;

// A Node tool from node_modules run as a child process; killed with its children on dispose.
public sealed class NodeProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    public NodeProcess(string tool, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var path = TestPaths.NodeBin(tool);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: run the README's test command (it runs npm ci).");
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.RepoRoot,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Output { get { lock (output) return output.ToString(); } }
    public bool HasExited => process.HasExited;

    public async Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{what} exited early:\n{Output}");
            try { if (await ready()) return; } catch (Exception) { /* not up yet */ }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{what} was not ready after {timeout}:\n{Output}");
    }

    // SIGINT (Azurite shuts down cleanly only on SIGINT), so the tool can flush what it holds (Azurite writes its files on the way out).
    // true when the tool exited by itself within the timeout; false when it had to be killed (and lost what it held).
    public async Task<bool> StopGracefullyAsync(TimeSpan timeout)
    {
        if (process.HasExited) return true;
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString()])) await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return false;
        }
    }

    public void Dispose()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); process.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
