namespace SupportBot.Tests.Infrastructure;

public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string NodeBin(string tool) => Path.Combine(RepoRoot, "node_modules", ".bin", tool);

    public static string OutputDirectory(string name)
    {
        var dir = Path.Combine(RepoRoot, "Bot.Tests", "TestResults", name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SupportBot.sln")))
                return dir.FullName;
        throw new InvalidOperationException("SupportBot.sln not found above " + AppContext.BaseDirectory);
    }
}

// A loopback port for a server a test starts. Chosen below the kernel's ephemeral range, so nothing the kernel hands out
// (a client connection's local port, a listener on port 0) can take it between the choice and the server's bind (a CI
// run failed when an Azurite lost its port that way), and from a counter, so two servers of one run never share one.
public static class FreePort
{
    const int First = 10_000;
    static readonly int Count = EphemeralRangeStart() - First;
    static int next = Random.Shared.Next(Count);

    public static int Next()
    {
        for (var tries = 0; tries < Count; tries++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref next) % (uint)Count);
            try
            {
                using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (System.Net.Sockets.SocketException) { /* in use: the next one */ }
        }
        throw new InvalidOperationException($"No free loopback port in {First}..{First + Count - 1}");
    }

    static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(range) && int.TryParse(File.ReadAllText(range).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0], out var start) && start > First + 1000
            ? start
            : 32_768;
    }
}
