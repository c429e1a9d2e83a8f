namespace Douyin.EventBus;

/// <summary>
/// Handles one event type. It runs in its own DI scope and may run more than once for the same event (retries,
/// redeliveries), so make it idempotent, e.g. with <c>TryBeginProcessingAsync</c>.
/// </summary>
public interface IIntegrationEventHandler<in TEvent> : IIntegrationEventHandler where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent @event, CancellationToken cancellationToken);

    Task IIntegrationEventHandler.HandleAsync(IntegrationEvent @event, CancellationToken cancellationToken) =>
        HandleAsync((TEvent)@event, cancellationToken);
}

/// <summary>The untyped view the consumer dispatches through; implement the generic interface instead.</summary>
public interface IIntegrationEventHandler
{
    Task HandleAsync(IntegrationEvent @event, CancellationToken cancellationToken);
}
