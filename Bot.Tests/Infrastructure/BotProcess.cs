using System.Diagnostics;
using System.Text;

namespace SupportBot.Tests.Infrastructure;

// The bot as its own long-running process (dotnet SupportBot.dll from its folder, like App Service); killed on dispose.
public sealed class BotProcess : IDisposable
{
    readonly Process process;
    readonly StringBuilder output = new();

    public BotProcess(int port, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SupportBot.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var (k, v) in environment) start.Environment[k] = v;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseAddress { get; }
    public int Id => process.Id;
    public bool HasExited => process.HasExited;
    public string Output { get { lock (output) return output.ToString(); } }

    public async Task<HttpResponseMessage> WaitForAsync(HttpClient http, string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"the bot exited with {process.ExitCode}:\n{Output}");
            try { return await http.GetAsync(new Uri(BaseAddress, path)); }
            catch (HttpRequestException) { await Task.Delay(200); }
        }
        throw new TimeoutException($"the bot did not answer {path} within {timeout}:\n{Output}");
    }

    public void Dispose()
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); process.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        process.Dispose();
    }
}
