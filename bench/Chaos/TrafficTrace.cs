using System.Text;

namespace SupportBot.Chaos;

// One line per post and per answer a user drew from it, so a failed check can be followed back through the bots' logs
// by activity id: /tmp/chaos-traffic.log, written as the run goes.
public static class TrafficTrace
{
    static readonly object Gate = new();
    static StreamWriter? writer;

    public static string PathOf => System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chaos-traffic.log");

    public static void Start()
    {
        lock (Gate) writer = new StreamWriter(PathOf, append: false, new UTF8Encoding(false), 1 << 16);
    }

    public static void Line(string what)
    {
        lock (Gate) writer?.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {what}");
    }

    public static void Stop()
    {
        lock (Gate)
        {
            writer?.Dispose();
            writer = null;
        }
    }
}
