using Microsoft.Extensions.Options;

namespace SupportBot.Technicians;

public static class TechnicianServiceCollectionExtensions
{
    public static IServiceCollection AddTechnicians(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TechnicianOptions>(configuration.GetSection("Support"));
        services.AddOptions<OnCallRotaOptions>().Bind(configuration.GetSection("Support:OnCallRota")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OnCallRotaOptions>, OnCallRotaValidation>();
        services.AddSingleton<OnCallRota>();
        services.AddSingleton<TechnicianChannel>();
        services.AddSingleton<TechnicianDirectory>();
        services.AddSingleton<TechnicianDesk>();
        services.AddSingleton<TechnicianCommands>();
        return services;
    }
}
