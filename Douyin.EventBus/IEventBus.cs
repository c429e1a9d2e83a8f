namespace Douyin.EventBus;

public interface IEventBus
{
    /// <summary>
    /// Returns once the broker has confirmed the event. Fails within <see cref="EventBusOptions.PublishTimeout"/>
    /// with <see cref="EventBusPublishException"/> when the broker is unreachable or refuses it.
    /// </summary>
    Task PublishAsync(IntegrationEvent @event, CancellationToken cancellationToken = default);
}

/// <summary>The broker did not confirm an event: it is unreachable, too slow, or nacked the message.</summary>
public sealed class EventBusPublishException(string message, Exception? innerException = null) : Exception(message, innerException);
