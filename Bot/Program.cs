using SupportBot.Conversations;
using SupportBot.Proactive;
using SupportBot.Protocol;
using SupportBot.Storage;

var app = SupportBotApp.Build(args);
app.LogAuthenticationMode();
await app.RunAsync();

public static class SupportBotApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);

        builder.Services.AddProblemDetails();
        builder.Services.AddBotProtocol(builder.Configuration);
        builder.Services.AddTableStorage(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton<ConversationReferenceStore>();
        builder.Services.AddSingleton<ProactiveMessenger>();
        builder.Services.AddSingleton<IBot, HelpDeskBot>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapBotMessages();
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
