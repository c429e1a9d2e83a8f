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
/// </summary>
internal sealed class RabbitMQEventConsumer : BackgroundService
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

        IChannel? channel = null;
        try
        {
            channel = await OpenConsumerWithRetriesAsync(stoppingToken);
            // From here on RabbitMQ.Client's automatic recovery reopens the channel, topology and consumer.
            await Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (channel is not null)
            {
                // Unacknowledged messages go back to the queue for another replica or the next start.
                await channel.DisposeAsync();
            }
        }
    }

    async Task<IChannel> OpenConsumerWithRetriesAsync(CancellationToken stoppingToken)
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

    async Task<IChannel> OpenConsumerAsync(CancellationToken stoppingToken)
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
            consumer.ReceivedAsync += (_, delivery) => OnMessageAsync(channel, delivery, stoppingToken);
            await channel.BasicConsumeAsync(QueueName, autoAck: false, consumer, stoppingToken);
            _logger.LogInformation("Consuming {Queue} for {Events}", QueueName, _subscriptionInfo.SubscribedEvents);
            return channel;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    async Task OnMessageAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var eventName = delivery.RoutingKey;
        using var activity = StartProcessActivity(eventName, delivery);

        if (Deserialize(eventName, delivery.Body.Span) is not { } @event)
        {
            // Poison: retrying cannot help, and requeueing would block the queue.
            _logger.LogError("Dead-lettering message {MessageId}: {Event} is not a subscribed event or its body is not valid JSON for it",
                delivery.BasicProperties.MessageId, eventName);
            activity?.SetStatus(ActivityStatusCode.Error, "Poison message");
            await SettleAsync(channel, delivery.DeliveryTag, ack: false);
            return;
        }

        try
        {
            await _retry.ExecuteAsync(async ct => await DispatchAsync(@event, ct), stoppingToken);
            await SettleAsync(channel, delivery.DeliveryTag, ack: true);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: left unacknowledged, the message is redelivered.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Dead-lettering {Event} {EventId} after {Retries} retries", eventName, @event.Id, _options.RetryCount);
            activity?.AddException(ex);
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            await SettleAsync(channel, delivery.DeliveryTag, ack: false);
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

    async Task SettleAsync(IChannel channel, ulong deliveryTag, bool ack)
    {
        try
        {
            if (ack)
            {
                await channel.BasicAckAsync(deliveryTag, multiple: false);
            }
            else
            {
                await channel.BasicNackAsync(deliveryTag, multiple: false, requeue: false);
            }
        }
        catch (Exception ex)
        {
            // The channel went away; the broker redelivers the message, and idempotent handlers absorb it.
            _logger.LogWarning(ex, "Could not {Settle} delivery {DeliveryTag}", ack ? "ack" : "nack", deliveryTag);
        }
    }
}
