using System.Collections.Concurrent;
using System.Text.Json;
using Douyin.ServiceDefaults.Messaging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace Douyin.ServiceDefaults.EventBus;

/// <summary>
/// Publishes to the <c>douyin_event_bus</c> direct exchange, routing by event name, and waits for the broker's
/// confirmation. Confirm channels are pooled: opening one costs a round trip, and hot paths publish constantly.
/// </summary>
internal sealed class RabbitMQEventBus : IEventBus, IAsyncDisposable
{
    public const string ExchangeName = "douyin_event_bus";

    static readonly CreateChannelOptions s_confirmChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    readonly RabbitMQConnectionSource _connections;
    readonly EventBusSubscriptionInfo _subscriptionInfo;
    readonly EventBusOptions _options;
    readonly ILogger<RabbitMQEventBus> _logger;
    readonly ConcurrentQueue<IChannel> _idleChannels = new();
    readonly SemaphoreSlim _channelSlots;

    public RabbitMQEventBus(
        RabbitMQConnectionSource connections,
        IOptions<EventBusSubscriptionInfo> subscriptionInfo,
        IOptions<EventBusOptions> options,
        ILogger<RabbitMQEventBus> logger)
    {
        _connections = connections;
        _subscriptionInfo = subscriptionInfo.Value;
        _options = options.Value;
        _logger = logger;
        _channelSlots = new(_options.PublishChannelPoolSize, _options.PublishChannelPoolSize);
    }

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

        // Bounded, so an API answers at once while the broker is down instead of waiting out the connect retries.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        IChannel? channel = null;
        var slotTaken = false;
        try
        {
            await _channelSlots.WaitAsync(timeout.Token);
            slotTaken = true;
            channel = await RentChannelAsync(timeout.Token);
            // Not mandatory: an event no service subscribes to yet is not an error. RabbitMQ.Client writes the
            // traceparent header itself (when its publisher source is listened to) and throws on a nack.
            await channel.BasicPublishAsync(ExchangeName, eventName, mandatory: false, properties, body, timeout.Token);
            _idleChannels.Enqueue(channel);
            channel = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new EventBusPublishException(
                $"The broker did not confirm {eventName} {@event.Id} within {_options.PublishTimeout.TotalSeconds:0.#} s; is RabbitMQ reachable?", ex);
        }
        catch (Exception ex) when (ex is not EventBusPublishException)
        {
            throw new EventBusPublishException($"Publishing {eventName} {@event.Id} failed: {ex.Message}", ex);
        }
        finally
        {
            if (channel is not null)
            {
                // Its state after a failure is unknown (a confirmation may still arrive), so it is replaced. Closing
                // is not awaited: against an unresponsive broker it would outlast the publish timeout.
                _ = DisposeChannelAsync(channel);
            }
            if (slotTaken)
            {
                _channelSlots.Release();
            }
        }
    }

    async Task<IChannel> RentChannelAsync(CancellationToken cancellationToken)
    {
        while (_idleChannels.TryDequeue(out var idle))
        {
            if (idle.IsOpen)
            {
                return idle;
            }
            await DisposeChannelAsync(idle);
        }

        var connection = await _connections.GetConnectionAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(s_confirmChannel, cancellationToken);
        try
        {
            await channel.ExchangeDeclareAsync(ExchangeName, ExchangeType.Direct, durable: true, cancellationToken: cancellationToken);
            return channel;
        }
        catch
        {
            await DisposeChannelAsync(channel);
            throw;
        }
    }

    async Task DisposeChannelAsync(IChannel channel)
    {
        try
        {
            await channel.DisposeAsync();
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "Closing a publisher channel failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idleChannels.TryDequeue(out var channel))
        {
            await DisposeChannelAsync(channel);
        }
        _channelSlots.Dispose();
    }
}
