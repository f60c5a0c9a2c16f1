using Microsoft.Extensions.DependencyInjection.Extensions;
using SupportBot;
using SupportBot.Conversations;
using SupportBot.Dashboard;
using SupportBot.Escalation;
using SupportBot.Hosting;
using SupportBot.Incidents;
using SupportBot.Knowledge;
using SupportBot.Proactive;
using SupportBot.Profiles;
using SupportBot.Protocol;
using SupportBot.Storage;
using SupportBot.Surveys;
using SupportBot.Outcomes;
using SupportBot.Privacy;
using SupportBot.Technicians;
using SupportBot.Tickets;
using SupportBot.Triage;

if (args.Length > 0 && args[0] is "triage" or "kb" or "tickets" or "manifest" or "stats" or "purge")
{
    var cli = new System.CommandLine.RootCommand("SupportBot command-line tools") { TriageCommand.Create(), KbCommand.Create(), TicketsCommand.Create(), ManifestCommand.Create(), SupportBot.Outcomes.StatsCommand.Create(), SupportBot.Privacy.PurgeCommand.Create() };
    return cli.Parse(args).Invoke();
}

var app = SupportBotApp.Build(args);
if (!await app.PassesDeploymentChecksAsync())
    return 1;
app.LogAuthenticationMode();
await app.RunAsync();
return 0;

public static class SupportBotApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        builder.Logging.AddSupportBotConsole(builder.Configuration, builder.Environment);

        builder.Services.AddProblemDetails();
        builder.Services.AddBotProtocol(builder.Configuration);
        builder.Services.AddTableStorage(builder.Configuration, builder.Environment);
        builder.Services.AddDeploymentChecks();
        builder.Services.AddSupportBotTelemetry(builder.Configuration);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ConversationReferenceStore>();
        builder.Services.AddSingleton<PendingRequestStore>();
        builder.Services.AddSingleton<UnansweredRequests>();
        builder.Services.AddSingleton<StorageFollowUps>();
        builder.Services.AddSingleton<Intake>();
        builder.Services.AddSingleton<GuidedWalkthrough>();
        builder.Services.AddSingleton<WalkthroughStore>();
        builder.Services.AddTickets(builder.Configuration);
        builder.Services.AddTechnicians(builder.Configuration);
        builder.Services.AddMajorIncidents(builder.Configuration);
        builder.Services.AddProfiles(builder.Configuration);
        builder.Services.AddPrivacy(builder.Configuration);
        builder.Services.AddOutbox(builder.Configuration);
        builder.Services.AddEscalation(builder.Configuration);
        builder.Services.AddSurveys(builder.Configuration);
        builder.Services.AddOutcomes();
        builder.Services.AddDashboard(builder.Configuration, builder.Environment);
        builder.Services.TryAddSingleton<IBot, HelpDeskBot>();
        builder.Services.AddSingleton<PublishedArticleStore>();
        builder.Services.AddSingleton<ArticleFeedbackStore>();
        builder.Services.AddSingleton<KnowledgeBase>();
        builder.Services.AddHostedService<KnowledgeBaseLoader>();
        builder.Services.AddOptions<KnowledgeOptions>().Bind(builder.Configuration.GetSection("Knowledge"))
            .Validate(o => o.SyncInterval > TimeSpan.Zero, "Knowledge:SyncInterval must be positive.").ValidateOnStart();
        builder.Services.AddHostedService<KnowledgeSync>();
        builder.Services.Configure<EmergencyPolicy>(builder.Configuration.GetSection("Triage"));
        builder.Services.AddSingleton<ITriage>(sp => TriageService.Create(sp.GetRequiredService<ILogger<Triager>>()));
        builder.Services.AddHostedService<TriageWarmUp>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapBotMessages();
        app.MapHealthChecks("/healthz", new() { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new() { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = ReadinessReport.WriteAsync });
        app.MapDashboard();
        app.MapStorageRequestCount();
        return app;
    }
}
