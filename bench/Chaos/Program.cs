using SupportBot.Chaos;

// dotnet run -c Release --project bench/Chaos -- short | soak [--minutes 30] [--users 200] ...   (see bench/Chaos/README.md)
var options = ChaosOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(ChaosOptions.Usage);
    return 2;
}
// One run at a time on a machine: two would share the logs and the trace in /tmp, and each would measure the other.
var lockPath = Path.Combine(Path.GetTempPath(), "chaos.lock");
if (File.Exists(lockPath) && int.TryParse(File.ReadAllText(lockPath).Trim(), out var other) && other != Environment.ProcessId && IsRunning(other))
{
    Console.Error.WriteLine($"Another Chaos run (process {other}) is still going; stop it first (kill {other}).");
    return 2;
}
File.WriteAllText(lockPath, Environment.ProcessId.ToString());
try
{
    return await ChaosRun.RunAsync(options);
}
finally
{
    File.Delete(lockPath);
}

static bool IsRunning(int pid)
{
    try { return !System.Diagnostics.Process.GetProcessById(pid).HasExited; }
    catch (ArgumentException) { return false; }
}
