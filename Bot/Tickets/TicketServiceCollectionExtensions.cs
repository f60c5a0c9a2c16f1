using Microsoft.Extensions.Options;

namespace SupportBot.Tickets;

public static class TicketServiceCollectionExtensions
{
    public static IServiceCollection AddTickets(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<TicketOptions>(configuration.GetSection("Tickets"));
        services.AddOptions<SupportOptions>().Bind(configuration.GetSection("Support"))
            .Validate(o => !o.Problems().Any(), "Support settings are invalid: check Support:OpensAt, ClosesAt, TimeZone, the response targets and DueSoonFraction.")
            .ValidateOnStart();
        services.AddSingleton(sp => new SupportHours(sp.GetRequiredService<IOptions<SupportOptions>>().Value));
        services.AddSingleton<Sla>();
        services.AddSingleton<ITicketStore, TableTicketStore>();
        services.AddSingleton<TicketDesk>();
        services.AddSingleton<TicketCards>();
        services.AddSingleton<RequesterUpdates>();
        services.AddSingleton<FileAsTicket>();
        services.AddSingleton<Proactive.IOutboxSentHandler, TicketCardPosted>();
        return services;
    }
}
