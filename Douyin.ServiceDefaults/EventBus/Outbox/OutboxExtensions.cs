using Douyin.ServiceDefaults.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class OutboxExtensions
{
    /// <summary>
    /// Registers the scoped <see cref="IIntegrationEventOutbox"/> over <typeparamref name="TContext"/> (whose model must call
    /// <c>UseIntegrationEventLogs()</c>) and the relay that publishes what the requests could not. Needs an event bus,
    /// e.g. <c>AddRabbitMqEventBus</c>.
    /// </summary>
    public static IServiceCollection AddIntegrationEventOutbox<TContext>(this IServiceCollection services) where TContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<IIntegrationEventOutbox, IntegrationEventOutbox<TContext>>();
        services.AddHostedService<OutboxRelay<TContext>>();
        return services;
    }
}
