using System.Text.Json;
using Douyin.EventBus.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Douyin.EventBus;

/// <summary>
/// Publishes to the <c>douyin_event_bus</c> direct exchange, routing by event name, and waits for the broker's
/// confirmation (<see cref="ConfirmedPublisher"/>).
/// </summary>
internal sealed class RabbitMQEventBus(
    RabbitMQConnectionSource connections,
    IOptions<EventBusSubscriptionInfo> subscriptionInfo,
    IOptions<EventBusOptions> options,
    ILogger<RabbitMQEventBus> logger) : IEventBus, IAsyncDisposable
{
    public const string ExchangeName = "douyin_event_bus";

    readonly EventBusSubscriptionInfo _subscriptionInfo = subscriptionInfo.Value;
    readonly ConfirmedPublisher _publisher = new(
        connections, options.Value.PublishChannels, options.Value.MaxUnconfirmedPublishes, options.Value.PublishTimeout,
        (channel, ct) => channel.ExchangeDeclareAsync(ExchangeName, ExchangeType.Direct, durable: true, cancellationToken: ct),
        logger);

    public async Task PublishAsync(IntegrationEvent @event, CancellationToken cancellationToken = default)
    {
        var eventName = _subscriptionInfo.GetKnownEventName(@event.GetType());
        var body = JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), _subscriptionInfo.JsonSerializerOptions);
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = @event.Id.ToString(),
            Type = eventName,
            ContentType = "application/json",
        };

        try
        {
            // Not mandatory: an event no service subscribes to yet is not an error.
            await _publisher.PublishAsync(ExchangeName, eventName, mandatory: false, properties, body, $"{eventName} {@event.Id}", cancellationToken);
        }
        catch (BrokerPublishException ex)
        {
            throw new EventBusPublishException(ex.Message, ex.InnerException);
        }
    }

    public ValueTask DisposeAsync() => _publisher.DisposeAsync();
}
