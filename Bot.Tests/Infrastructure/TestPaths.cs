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

public static class FreePort
{
    public static int Next()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
