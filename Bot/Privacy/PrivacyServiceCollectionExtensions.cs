namespace SupportBot.Privacy;

public static class PrivacyServiceCollectionExtensions
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TenantOptions>().Bind(configuration.GetSection("Security"));
        services.AddOptions<RetentionOptions>().Bind(configuration.GetSection("Retention"))
            .Validate(o => o.KeepFor >= TimeSpan.FromDays(1), "Retention:KeepFor must be at least one day.")
            .ValidateOnStart();
        services.AddSingleton<TenantAllowList>();
        return services;
    }
}
