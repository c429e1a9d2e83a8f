using Douyin.EventBus;
using Douyin.EventBus.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting
{
    public static class RabbitMqEventBusExtensions
    {
        /// <summary>
        /// Registers <see cref="IEventBus"/> over RabbitMQ (connection <c>ConnectionStrings:{connectionName}</c>) and the
        /// consumer of the service's queue, configured from the <c>EventBus</c> section. Then declare what the service
        /// handles and publishes:
        /// <code>
        /// builder.AddRabbitMqEventBus("eventbus")
        ///     .AddSubscription&lt;VideoLikedIntegrationEvent, VideoLikedIntegrationEventHandler&gt;()
        ///     .AddEvent&lt;UserFollowedIntegrationEvent&gt;();
        /// </code>
        /// </summary>
        public static IEventBusBuilder AddRabbitMqEventBus(this IHostApplicationBuilder builder, string connectionName)
        {
            builder.AddRabbitMQConnection(connectionName);

            var applicationName = builder.Environment.ApplicationName;
            builder.Services.AddOptions<EventBusOptions>()
                .BindConfiguration(EventBusOptions.SectionName)
                .PostConfigure(options => options.SubscriptionClientName = string.IsNullOrWhiteSpace(options.SubscriptionClientName)
                    ? applicationName
                    : options.SubscriptionClientName);
            builder.Services.AddOptions<EventBusSubscriptionInfo>();
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.TryAddSingleton<RabbitMQEventBus>();
            builder.Services.TryAddSingleton<IEventBus>(sp => sp.GetRequiredService<RabbitMQEventBus>());
            builder.Services.AddHostedService<RabbitMQEventConsumer>();
            return new EventBusBuilder(builder.Services);
        }
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    public static class EventBusBuilderExtensions
    {
        /// <summary>
        /// Binds the service's queue to <typeparamref name="TEvent"/> and handles it with <typeparamref name="THandler"/>,
        /// a keyed transient under <c>typeof(TEvent)</c>; an event may have several handlers.
        /// </summary>
        public static IEventBusBuilder AddSubscription<TEvent, THandler>(this IEventBusBuilder eventBus)
            where TEvent : IntegrationEvent
            where THandler : class, IIntegrationEventHandler<TEvent>
        {
            eventBus.Services.AddKeyedTransient<IIntegrationEventHandler, THandler>(typeof(TEvent));
            eventBus.Services.Configure<EventBusSubscriptionInfo>(info =>
            {
                info.Register(typeof(TEvent));
                info.SubscribedEvents.Add(EventBusSubscriptionInfo.GetEventName(typeof(TEvent)));
            });
            return eventBus;
        }

        /// <summary>Registers an event the service publishes without handling it, so publishing and the outbox know it.</summary>
        public static IEventBusBuilder AddEvent<TEvent>(this IEventBusBuilder eventBus) where TEvent : IntegrationEvent
        {
            eventBus.Services.Configure<EventBusSubscriptionInfo>(info => info.Register(typeof(TEvent)));
            return eventBus;
        }
    }
}
