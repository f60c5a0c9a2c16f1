using Microsoft.Extensions.Logging.Console;

namespace SupportBot;

public static class ConsoleLogging
{
    // Outside Development every console entry is one JSON object on one line, whatever the configuration asks for:
    // a caller's value (an activity id holding "\r\nfail: ...") is escaped inside it and cannot start a forged line.
    // Development may choose the readable format with Logging:Console:FormatterName=simple (appsettings.Development.json does).
    public static ILoggingBuilder AddSupportBotConsole(this ILoggingBuilder logging, IConfiguration configuration, IHostEnvironment environment)
    {
        var simple = environment.IsDevelopment()
            && string.Equals(configuration["Logging:Console:FormatterName"], ConsoleFormatterNames.Simple, StringComparison.OrdinalIgnoreCase);
        return simple
            ? logging.AddSimpleConsole()
            : logging.AddJsonConsole(json =>
            {
                json.UseUtcTimestamp = true;
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
    }
}
