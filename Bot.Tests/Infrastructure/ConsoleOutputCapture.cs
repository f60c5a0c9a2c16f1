using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace SupportBot.Tests.Infrastructure;

// What the console logger would print, kept in memory: each entry goes through the console formatter the app
// configured (same formatter, same options), so a test reads the bytes an operator's log collector would get.
public sealed class ConsoleOutputCapture : ILoggerProvider
{
    readonly ConsoleFormatter formatter;
    readonly StringBuilder output = new();
    readonly List<(LogLevel Level, string Text)> entries = [];

    public ConsoleOutputCapture(IOptions<ConsoleLoggerOptions> console, IEnumerable<ConsoleFormatter> formatters)
    {
        FormatterName = console.Value.FormatterName ?? ConsoleFormatterNames.Simple;
        formatter = formatters.Single(f => f.Name == FormatterName);
    }

    public string FormatterName { get; }
    public string Output { get { lock (entries) return output.ToString(); } }
    public IReadOnlyList<(LogLevel Level, string Text)> Entries { get { lock (entries) return entries.ToList(); } }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    sealed class Logger(ConsoleOutputCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> format)
        {
            using var writer = new StringWriter();
            owner.formatter.Write(new LogEntry<TState>(logLevel, category, eventId, state, exception, format), null, writer);
            lock (owner.entries)
            {
                owner.entries.Add((logLevel, writer.ToString()));
                owner.output.Append(writer);
            }
        }
    }
}
