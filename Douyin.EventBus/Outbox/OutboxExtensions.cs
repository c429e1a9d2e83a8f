using Douyin.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class OutboxExtensions
{
    /// <summary>
    /// Registers the scoped <see cref="IIntegrationEventOutbox"/> over <typeparamref name="TContext"/> (whose model must call
    /// <c>UseIntegrationEventLogs()</c>), the dispatcher that publishes committed events in the background, and the relay
    /// that publishes what the dispatcher could not. Needs an event bus,
    /// e.g. <c>AddRabbitMqEventBus</c>.
    /// </summary>
    public static IServiceCollection AddIntegrationEventOutbox<TContext>(this IServiceCollection services) where TContext : DbContext
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<IIntegrationEventOutbox, IntegrationEventOutbox<TContext>>();
        services.TryAddSingleton<OutboxDispatcher<TContext>>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher<TContext>>());
        services.AddHostedService<OutboxRelay<TContext>>();
        return services;
    }
}
