using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Douyin.EventBus.Messaging;

/// <summary>The broker did not confirm a message: it is unreachable, too slow, refused it (nack) or could not route it.</summary>
public sealed class BrokerPublishException(string message, Exception? innerException = null) : Exception(message, innerException);

/// <summary>
/// The one way to hand RabbitMQ a message that must not be lost: publish on a confirm channel and return only once the
/// broker confirmed it, or throw <see cref="BrokerPublishException"/> within <paramref name="timeout"/>.
/// <para>
/// A few long-lived channels are shared by every caller. RabbitMQ.Client holds a channel's lock only while it writes
/// a message and tracks each confirmation by sequence number, so concurrent publishes pipeline on one channel and the
/// broker confirms them in groups; renting a channel per publish instead would cap the rate at channels ÷ confirm
/// latency. <paramref name="maxUnconfirmed"/> bounds the messages awaiting a confirmation at once. Each new channel
/// first declares the topology the messages need (<paramref name="declareTopology"/>), so a fresh broker routes them.
/// </para>
/// </summary>
public sealed class ConfirmedPublisher(
    RabbitMQConnectionSource connections,
    int channels,
    int maxUnconfirmed,
    TimeSpan timeout,
    Func<IChannel, CancellationToken, Task> declareTopology,
    ILogger logger) : IAsyncDisposable
{
    // No rate limiter of the client's own: its default throttles by sleeping up to a second once 64 are unconfirmed.
    static readonly CreateChannelOptions s_confirmChannel = new(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);

    readonly Task<IChannel>?[] _channels = new Task<IChannel>?[Math.Max(1, channels)];
    readonly Lock _channelsLock = new();
    readonly SemaphoreSlim _unconfirmed = new(Math.Max(1, maxUnconfirmed));
    int _next;

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
        var slotTaken = false;
        try
        {
            await _unconfirmed.WaitAsync(deadline.Token);
            slotTaken = true;
            while (true)
            {
                var opening = GetChannel();
                IChannel channel;
                try
                {
                    channel = await opening.WaitAsync(deadline.Token);
                }
                catch (Exception ex) when (opening is { IsCompleted: true, IsCompletedSuccessfully: false } && IsConnectionLoss(ex) && !deadline.IsCancellationRequested)
                {
                    // An open that another publish began earlier ran out of its time or lost its connection; this one
                    // still has time, and the next GetChannel opens afresh.
                    continue;
                }
                try
                {
                    // RabbitMQ.Client writes the traceparent header itself (when its publisher source is listened to) and
                    // throws on a nack or a return.
                    await channel.BasicPublishAsync(exchange, routingKey, mandatory, properties, body, deadline.Token);
                    return;
                }
                catch (OperationInterruptedException) when (!channel.IsOpen && !deadline.IsCancellationRequested)
                {
                    // The channel died under the publish (a broker restart, a lost connection): whether the broker took
                    // the message is unknown, so it is published again on a fresh channel. Every consumer is idempotent
                    // (inbox, sequence-stamped writes), so a duplicate is harmless and a loss is not.
                    logger.LogDebug("The channel of {Description} closed under the publish; publishing again", description);
                }
            }
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
            if (slotTaken)
            {
                _unconfirmed.Release();
            }
        }
    }

    /// <summary>
    /// The next channel in turn, opened on first use and reopened once closed (connection lost, broker restarted). A
    /// failed publish leaves an open channel in place: a nack, a return or a late confirmation concerns one message,
    /// and the others in flight on that channel are unaffected.
    /// </summary>
    Task<IChannel> GetChannel()
    {
        var slot = (int)((uint)Interlocked.Increment(ref _next) % (uint)_channels.Length);
        lock (_channelsLock)
        {
            var current = _channels[slot];
            if (current is null || current.IsFaulted || current.IsCanceled || current is { IsCompletedSuccessfully: true, Result.IsOpen: false })
            {
                if (current is { IsCompletedSuccessfully: true })
                {
                    _ = DisposeChannelAsync(current.Result);
                }
                _channels[slot] = current = OpenChannelAsync();
            }
            return current;
        }
    }

    static bool IsConnectionLoss(Exception ex) =>
        ex is AlreadyClosedException or OperationCanceledException or BrokerUnreachableException or System.Net.Sockets.SocketException;

    async Task<IChannel> OpenChannelAsync()
    {
        // Not the caller's token: the channel outlives the publish that opened it, and others wait on it too.
        using var deadline = new CancellationTokenSource(timeout);
        var connection = await connections.GetConnectionAsync(deadline.Token);
        IChannel channel;
        while (true)
        {
            await WhenOpenAsync(connection, deadline.Token);
            try
            {
                channel = await connection.CreateChannelAsync(s_confirmChannel, deadline.Token);
                break;
            }
            catch (AlreadyClosedException) when (!deadline.IsCancellationRequested)
            {
                // Closed between the check and the open (the broker is going down again): wait for the next recovery.
            }
        }
        try
        {
            await declareTopology(channel, deadline.Token);
            return channel;
        }
        catch
        {
            await DisposeChannelAsync(channel);
            throw;
        }
    }

    /// <summary>
    /// Waits while RabbitMQ.Client's automatic recovery reconnects a lost connection: a channel asked of it before then
    /// fails at once (AlreadyClosedException), although the broker may be back a moment later.
    /// </summary>
    static async Task WhenOpenAsync(IConnection connection, CancellationToken cancellationToken)
    {
        if (connection.IsOpen)
        {
            return;
        }
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task OnRecovered(object sender, AsyncEventArgs args)
        {
            recovered.TrySetResult();
            return Task.CompletedTask;
        }
        connection.RecoverySucceededAsync += OnRecovered;
        try
        {
            // Checked again once subscribed, so a recovery that finished in between is not waited for.
            if (!connection.IsOpen)
            {
                await recovered.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            connection.RecoverySucceededAsync -= OnRecovered;
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
        Task<IChannel>?[] open;
        lock (_channelsLock)
        {
            open = [.. _channels];
            Array.Clear(_channels);
        }
        foreach (var channel in open)
        {
            if (channel is { IsCompletedSuccessfully: true })
            {
                await DisposeChannelAsync(channel.Result);
            }
        }
        _unconfirmed.Dispose();
    }
}
