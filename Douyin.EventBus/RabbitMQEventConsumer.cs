using System.Diagnostics;
using System.Text.Json;
using Douyin.EventBus.Messaging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Douyin.EventBus;

/// <summary>
/// Consumes the service's queue. Topology: the queue is bound to <c>douyin_event_bus</c> once per subscribed event,
/// and dead-letters to <c>douyin_event_bus.dlx</c> with the queue's name as routing key, which lands in
/// <c>&lt;queue&gt;.dead</c> (the queue name, not the event name, so other services' dead queues stay out of it).
/// <para>
/// When the host stops it first cancels its subscription (basic.cancel), so the broker keeps the rest of the queue for
/// the other replicas, and hands back (requeues) what was prefetched but not begun; the handlers in flight then finish
/// and are acknowledged, and only those still running when the stop timeout runs out are cancelled and left
/// unacknowledged, to be redelivered (<see cref="DrainingBackgroundService"/>).
/// </para>
/// </summary>
internal sealed class RabbitMQEventConsumer : DrainingBackgroundService
{
    public const string DeadLetterExchangeName = RabbitMQEventBus.ExchangeName + ".dlx";

    internal static readonly ActivitySource ActivitySource = new("Douyin.EventBus");

    readonly RabbitMQConnectionSource _connections;
    readonly IServiceScopeFactory _scopeFactory;
    readonly EventBusSubscriptionInfo _subscriptionInfo;
    readonly EventBusOptions _options;
    readonly TimeProvider _timeProvider;
    readonly ILogger<RabbitMQEventConsumer> _logger;
    readonly ResiliencePipeline _retry;
    // Handlers running now; once _stopping is set no handler begins, and the last one to end completes _idle.
    int _inFlight;
    int _stopping;
    readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RabbitMQEventConsumer(
        RabbitMQConnectionSource connections,
        IServiceScopeFactory scopeFactory,
        IOptions<EventBusSubscriptionInfo> subscriptionInfo,
        IOptions<EventBusOptions> options,
        TimeProvider timeProvider,
        ILogger<RabbitMQEventConsumer> logger)
    {
        _connections = connections;
        _scopeFactory = scopeFactory;
        _subscriptionInfo = subscriptionInfo.Value;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _retry = _options.RetryCount <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder { TimeProvider = timeProvider }
                .AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = _options.RetryCount,
                    BackoffType = DelayBackoffType.Exponential,
                    Delay = _options.RetryDelay,
                    UseJitter = true,
                    OnRetry = args =>
                    {
                        _logger.LogWarning(args.Outcome.Exception, "Handling an event failed; retry {Retry} in {Delay}", args.AttemptNumber + 1, args.RetryDelay);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    string QueueName => _options.SubscriptionClientName!;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_subscriptionInfo.SubscribedEvents.Count == 0)
        {
            return;
        }

        (IChannel Channel, string ConsumerTag)? consumer = null;
        try
        {
            consumer = await OpenConsumerWithRetriesAsync(stoppingToken);
            // From here on RabbitMQ.Client's automatic recovery reopens the channel, topology and consumer.
            await Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopConsumingAsync(consumer);
        }
    }

    /// <summary>
    /// Takes no more deliveries, waits for the handlers in flight (until <see cref="DrainingBackgroundService.Abandoned"/>),
    /// then closes the channel: whatever is still unacknowledged on it goes back to the queue.
    /// </summary>
    async Task StopConsumingAsync((IChannel Channel, string ConsumerTag)? consumer)
    {
        Interlocked.Exchange(ref _stopping, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _idle.TrySetResult();
        }
        if (consumer is not { } opened)
        {
            return;
        }
        var (channel, consumerTag) = opened;
        try
        {
            await channel.BasicCancelAsync(consumerTag, noWait: false, Abandoned);
        }
        catch (Exception ex)
        {
            // The channel is closed already (broker gone), or the stop timeout ran out: it is closed below either way.
            _logger.LogDebug(ex, "Cancelling the consumer of {Queue} failed", QueueName);
        }
        try
        {
            await _idle.Task.WaitAsync(Abandoned);
            _logger.LogInformation("Stopped consuming {Queue}; the handlers in flight finished", QueueName);
        }
        catch (OperationCanceledException)
        {
            _logger.LogWarning("Stopped consuming {Queue} with {Count} handlers cut off by the stop timeout; their messages are redelivered",
                QueueName, Volatile.Read(ref _inFlight));
        }
        await channel.DisposeAsync();
    }

    async Task<(IChannel, string)> OpenConsumerWithRetriesAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                return await OpenConsumerAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Cannot consume {Queue} yet; retrying in {Delay}", QueueName, delay);
                await Task.Delay(delay, _timeProvider, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    async Task<(IChannel, string)> OpenConsumerAsync(CancellationToken stoppingToken)
    {
        var connection = await _connections.GetConnectionAsync(stoppingToken);
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: false, publisherConfirmationTrackingEnabled: false,
                consumerDispatchConcurrency: _options.ConsumerConcurrency),
            stoppingToken);
        try
        {
            await channel.ExchangeDeclareAsync(RabbitMQEventBus.ExchangeName, ExchangeType.Direct, durable: true, cancellationToken: stoppingToken);
            await channel.DeclareDeadLetteredQueueAsync(QueueName, DeadLetterExchangeName, stoppingToken);
            foreach (var eventName in _subscriptionInfo.SubscribedEvents)
            {
                await channel.QueueBindAsync(QueueName, RabbitMQEventBus.ExchangeName, eventName, cancellationToken: stoppingToken);
            }

            await channel.BasicQosAsync(prefetchSize: 0, _options.PrefetchCount, global: false, stoppingToken);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(channel, delivery);
            var consumerTag = await channel.BasicConsumeAsync(QueueName, autoAck: false, consumer, stoppingToken);
            _logger.LogInformation("Consuming {Queue} for {Events}", QueueName, _subscriptionInfo.SubscribedEvents);
            return (channel, consumerTag);
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    async Task OnDeliveryAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (Volatile.Read(ref _stopping) == 1)
            {
                // Prefetched, not begun: back to the queue at once, for another replica.
                await SettleAsync(channel, delivery.DeliveryTag, Settlement.Requeue);
                return;
            }
            await OnMessageAsync(channel, delivery, Abandoned);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _stopping) == 1)
            {
                _idle.TrySetResult();
            }
        }
    }

    async Task OnMessageAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken abandoned)
    {
        var eventName = delivery.RoutingKey;
        using var activity = StartProcessActivity(eventName, delivery);

        if (Deserialize(eventName, delivery.Body.Span) is not { } @event)
        {
            // Poison: retrying cannot help, and requeueing would block the queue.
            _logger.LogError("Dead-lettering message {MessageId}: {Event} is not a subscribed event or its body is not valid JSON for it",
                delivery.BasicProperties.MessageId, eventName);
            activity?.SetStatus(ActivityStatusCode.Error, "Poison message");
            await SettleAsync(channel, delivery.DeliveryTag, Settlement.DeadLetter);
            return;
        }

        try
        {
            await _retry.ExecuteAsync(async ct => await DispatchAsync(@event, ct), abandoned);
            await SettleAsync(channel, delivery.DeliveryTag, Settlement.Ack);
        }
        catch (Exception ex) when (abandoned.IsCancellationRequested)
        {
            // Cut off by the stop timeout, whatever the interrupted call threw: left unacknowledged, it is redelivered.
            _logger.LogWarning("{Event} {EventId} was cut off by the stop timeout and will be redelivered: {Reason}", eventName, @event.Id, ex.Message);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Dead-lettering {Event} {EventId} after {Retries} retries", eventName, @event.Id, _options.RetryCount);
            activity?.AddException(ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await SettleAsync(channel, delivery.DeliveryTag, Settlement.DeadLetter);
        }
    }

    /// <summary>
    /// RabbitMQ.Client's "deliver" span starts a new trace that only links to the publisher. Handling is parented on
    /// the publish span instead, from the traceparent header the client wrote, so an event's path is one trace; the
    /// deliver span is kept as a link.
    /// </summary>
    static Activity? StartProcessActivity(string eventName, BasicDeliverEventArgs delivery)
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }
        var publisher = RabbitMQActivitySource.ContextExtractor(delivery.BasicProperties);
        ActivityLink[]? links = publisher != default && Activity.Current is { } deliver ? [new ActivityLink(deliver.Context)] : null;
        var activity = ActivitySource.StartActivity($"{eventName} process", ActivityKind.Consumer, publisher, links: links);
        activity?.SetTag("messaging.system", "rabbitmq")
            .SetTag("messaging.operation.type", "process")
            .SetTag("messaging.destination.name", RabbitMQEventBus.ExchangeName)
            .SetTag("messaging.rabbitmq.destination.routing_key", eventName)
            .SetTag("messaging.message.id", delivery.BasicProperties.MessageId);
        return activity;
    }

    IntegrationEvent? Deserialize(string eventName, ReadOnlySpan<byte> body)
    {
        if (!_subscriptionInfo.SubscribedEvents.Contains(eventName) || !_subscriptionInfo.EventTypes.TryGetValue(eventName, out var eventType))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(body, eventType, _subscriptionInfo.JsonSerializerOptions) as IntegrationEvent;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Every handler runs in one fresh scope per attempt, so a retry never sees a half-used DbContext.</summary>
    async Task DispatchAsync(IntegrationEvent @event, CancellationToken cancellationToken)
    {
        await using var scope = _scopeFactory.CreateAsyncScope();
        foreach (var handler in scope.ServiceProvider.GetKeyedServices<IIntegrationEventHandler>(@event.GetType()))
        {
            await handler.HandleAsync(@event, cancellationToken);
        }
    }

    enum Settlement { Ack, DeadLetter, Requeue }

    async Task SettleAsync(IChannel channel, ulong deliveryTag, Settlement settlement)
    {
        try
        {
            await (settlement switch
            {
                Settlement.Ack => channel.BasicAckAsync(deliveryTag, multiple: false),
                _ => channel.BasicNackAsync(deliveryTag, multiple: false, requeue: settlement == Settlement.Requeue),
            });
        }
        catch (Exception ex)
        {
            // The channel went away; the broker redelivers the message, and idempotent handlers absorb it.
            _logger.LogWarning(ex, "Could not {Settlement} delivery {DeliveryTag}", settlement, deliveryTag);
        }
    }
}
