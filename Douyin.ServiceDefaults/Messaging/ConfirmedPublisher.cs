using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;

namespace Douyin.ServiceDefaults.Messaging;

/// <summary>The broker did not confirm a message: it is unreachable, too slow, refused it (nack) or could not route it.</summary>
public sealed class BrokerPublishException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// The one way to hand RabbitMQ a message that must not be lost: publish on a confirm channel and return only once the
/// broker confirmed it, or throw <see cref="BrokerPublishException"/> within <paramref name="timeout"/>. Confirm
/// channels are pooled (opening one costs a round trip, and hot paths publish constantly); each new channel first
/// declares the topology the messages need (<paramref name="declareTopology"/>), so a fresh broker routes them.
/// </summary>
public sealed class ConfirmedPublisher(
    RabbitMQConnectionSource connections,
    int poolSize,
    TimeSpan timeout,
    Func<IChannel, CancellationToken, Task> declareTopology,
    ILogger logger) : IAsyncDisposable
{
    static readonly CreateChannelOptions s_confirmChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    readonly ConcurrentQueue<IChannel> _idleChannels = new();
    readonly SemaphoreSlim _channelSlots = new(poolSize, poolSize);

    public TimeSpan Timeout => timeout;

    /// <param name="description">Names the message in errors, e.g. "FavoriteWrite 42".</param>
    /// <param name="mandatory">Refuse (throw) rather than drop a message no queue is bound for.</param>
    public async Task PublishAsync(
        string exchange, string routingKey, bool mandatory, BasicProperties properties, ReadOnlyMemory<byte> body,
        string description, CancellationToken cancellationToken)
    {
        // Bounded, so an API answers at once while the broker is down instead of waiting out the connect retries.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        IChannel? channel = null;
        var slotTaken = false;
        try
        {
            await _channelSlots.WaitAsync(deadline.Token);
            slotTaken = true;
            channel = await RentChannelAsync(deadline.Token);
            // RabbitMQ.Client writes the traceparent header itself (when its publisher source is listened to) and
            // throws on a nack or a return.
            await channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, deadline.Token);
            _idleChannels.Enqueue(channel);
            channel = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex)
        {
            throw new BrokerPublishException(
                $"The broker did not confirm {description} within {timeout.TotalSeconds:0.#} s; is RabbitMQ reachable?", ex);
        }
        catch (Exception ex)
        {
            throw new BrokerPublishException($"Publishing {description} failed: {ex.Message}", ex);
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

        var connection = await connections.GetConnectionAsync(cancellationToken);
        var channel = await connection.CreateChannelAsync(s_confirmChannel, cancellationToken);
        try
        {
            await declareTopology(channel, cancellationToken);
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
            logger.LogDebug(ex, "Closing a publisher channel failed");
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
