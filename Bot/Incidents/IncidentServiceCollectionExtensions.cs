namespace SupportBot.Incidents;

public static class IncidentServiceCollectionExtensions
{
    public static IServiceCollection AddMajorIncidents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MajorIncidentOptions>().Bind(configuration.GetSection("Support:MajorIncident"))
            .Validate(o => o.Reports >= 2 && o.Window > TimeSpan.Zero && o.Similarity is > 0 and <= 1,
                "Support:MajorIncident: Reports must be at least 2, Window positive and Similarity between 0 and 1.")
            .ValidateOnStart();
        services.AddSingleton<MajorIncidentStore>();
        services.AddSingleton<MajorIncidents>();
        services.AddSingleton<MajorIncidentDesk>();
        services.AddSingleton<Proactive.IOutboxSentHandler, IncidentCardPosted>();
        return services;
    }
}
