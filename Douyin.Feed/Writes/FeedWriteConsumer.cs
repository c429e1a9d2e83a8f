using System.Text.Json;
using System.Threading.Channels;
using Douyin.EventBus.Messaging;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Douyin.Feed.Writes;

/// <summary>
/// Drains <c>feed.writes</c> into PostgreSQL through <see cref="FeedWriteApplier"/>: a batch is whatever messages have
/// arrived (up to <see cref="FeedWritesOptions.BatchSize"/> writes), applied in one transaction, and acknowledged only
/// after the commit (and the cache invalidation). A crash before that leaves the messages unacknowledged: the broker
/// redelivers them and the applier's idempotency makes the repeat change nothing. A message that is not a valid write
/// (or array of writes) is dead-lettered at once; a batch that keeps failing for another reason is retried one message
/// at a time, so only the message at fault is dead-lettered (with the writes group-committed beside the one at fault).
/// While the database or Redis is away the batch waits and retries.
/// <para>
/// When the host stops, each consumer cancels its subscription at once (basic.cancel: the broker keeps the rest of the
/// queue for the other replicas), finishes and acknowledges the batch in flight, and closes its channel, which hands
/// back what it had prefetched. Only a batch still running when the stop timeout runs out is cut off, rolled back and
/// redelivered (<see cref="DrainingBackgroundService"/>).
/// </para>
/// </summary>
public sealed class FeedWriteConsumer(
    RabbitMQConnectionSource connections,
    IServiceScopeFactory scopeFactory,
    IOptions<FeedWritesOptions> options,
    TimeProvider time,
    ILogger<FeedWriteConsumer> logger) : DrainingBackgroundService
{
    static readonly TimeSpan s_maxDelay = TimeSpan.FromSeconds(30);

    readonly FeedWritesOptions _options = options.Value;

    /// <summary>A delivery, parsed in its event handler (RabbitMQ.Client reuses the body's memory afterwards); no writes means poison.</summary>
    sealed record Delivery(ulong Tag, FeedWrite[]? Writes, string? MessageId);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, _options.Consumers)).Select(_ => Task.Run(() => RunConsumerAsync(stoppingToken), stoppingToken)));

    async Task RunConsumerAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Consuming {Queue} stopped; reopening in {Delay}", FeedWriteQueue.QueueName, delay);
                await Task.Delay(delay, time, stoppingToken);
                delay = Min(delay * 2, s_maxDelay);
                continue;
            }
            delay = TimeSpan.FromSeconds(1);
        }
    }

    /// <summary>One channel until it closes (broker gone, connection lost): then the caller opens a new one.</summary>
    async Task ConsumeAsync(CancellationToken stoppingToken)
    {
        var connection = await connections.GetConnectionAsync(stoppingToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
        await FeedWriteQueue.DeclareAsync(channel, stoppingToken);
        await channel.BasicQosAsync(prefetchSize: 0, (ushort)Math.Min(ushort.MaxValue, _options.BatchSize * 2), global: false, stoppingToken);

        // Delivery tags belong to this channel: once it closes, its unacknowledged messages are redelivered and
        // nothing may be acknowledged on whatever channel recovery opens in its place, so the loop ends here. A batch
        // runs until then or until the stop timeout runs out, not just until the host stops.
        using var closed = CancellationTokenSource.CreateLinkedTokenSource(Abandoned);
        channel.ChannelShutdownAsync += (_, _) =>
        {
            closed.Cancel();
            return Task.CompletedTask;
        };
        // Cancelled when the host stops, the channel closes or the loop ends.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, closed.Token);
        var received = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
            received.Writer.WriteAsync(new(delivery.DeliveryTag, Parse(delivery.Body.Span), delivery.BasicProperties.MessageId)).AsTask();
        var consumerTag = await channel.BasicConsumeAsync(FeedWriteQueue.QueueName, autoAck: false, consumer, stoppingToken);
        logger.LogInformation("Consuming {Queue}", FeedWriteQueue.QueueName);
        var stopTaking = CancelOnStopAsync(channel, consumerTag, stoppingToken, reading.Token, closed.Token);

        var batch = new List<Delivery>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                batch.Clear();
                var writes = 0;
                // Whole messages, until the batch holds BatchSize writes.
                for (var next = await received.Reader.ReadAsync(reading.Token); ; )
                {
                    batch.Add(next);
                    writes += next.Writes?.Length ?? 0;
                    if (writes >= _options.BatchSize || !received.Reader.TryRead(out next!))
                    {
                        break;
                    }
                }
                await ProcessAsync(channel, batch, closed.Token);
            }
        }
        finally
        {
            reading.Cancel();
            await stopTaking;
        }
    }

    /// <summary>basic.cancel the moment the host stops, while the batch in flight goes on; returns when the loop has ended otherwise.</summary>
    async Task CancelOnStopAsync(IChannel channel, string consumerTag, CancellationToken stoppingToken, CancellationToken loopEnded, CancellationToken closed)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, time, loopEnded);
        }
        catch (OperationCanceledException)
        {
        }
        if (!stoppingToken.IsCancellationRequested || closed.IsCancellationRequested)
        {
            return;
        }
        try
        {
            await channel.BasicCancelAsync(consumerTag, noWait: false, closed);
            logger.LogInformation("Stopped taking deliveries from {Queue}; finishing the batch in flight", FeedWriteQueue.QueueName);
        }
        catch (Exception ex)
        {
            // The channel closed meanwhile: it delivers nothing more either.
            logger.LogDebug(ex, "Cancelling a consumer of {Queue} failed", FeedWriteQueue.QueueName);
        }
    }

    async Task ProcessAsync(IChannel channel, List<Delivery> batch, CancellationToken cancellationToken)
    {
        var writes = new List<(Delivery Delivery, FeedWrite Write)>();
        foreach (var delivery in batch)
        {
            if (delivery.Writes is { } parsed)
            {
                writes.AddRange(parsed.Select(write => (delivery, write)));
            }
            else
            {
                // Poison: retrying cannot help, and requeueing would block the queue.
                logger.LogError("Dead-lettering message {MessageId}: not a valid feed write", delivery.MessageId);
                await channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: false, cancellationToken);
            }
        }
        await ApplyAsync(channel, writes, cancellationToken);
    }

    async Task ApplyAsync(IChannel channel, List<(Delivery Delivery, FeedWrite Write)> writes, CancellationToken cancellationToken)
    {
        if (writes.Count == 0)
        {
            return;
        }

        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<FeedWriteApplier>().ApplyAsync([.. writes.Select(w => w.Write)], cancellationToken);
                break;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (IsTransient(ex) || attempt <= _options.RetryCount))
            {
                logger.LogWarning(ex, "Applying {Count} feed writes failed (attempt {Attempt}); retrying in {Delay}", writes.Count, attempt, delay);
                await Task.Delay(delay, time, cancellationToken);
                delay = Min(delay * 2, s_maxDelay);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && writes[0].Delivery != writes[^1].Delivery)
            {
                logger.LogWarning(ex, "A batch of {Count} feed writes keeps failing; applying its messages one by one", writes.Count);
                foreach (var message in writes.GroupBy(w => w.Delivery))
                {
                    await ApplyAsync(channel, [.. message], cancellationToken);
                }
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A message is acknowledged whole, so the writes that share it with the one at fault go with it.
                var delivery = writes[0].Delivery;
                logger.LogError(ex, "Dead-lettering message {MessageId} ({Count} feed writes, the first {Write}) after {Attempts} attempts",
                    delivery.MessageId, writes.Count, writes[0].Write, attempt);
                await channel.BasicNackAsync(delivery.Tag, multiple: false, requeue: false, cancellationToken);
                return;
            }
        }

        // One ack for the batch: deliveries are handled in tag order, so every earlier tag of this channel is settled
        // already. Should the channel be gone by now, the broker redelivers and the applier ignores the repeats.
        await channel.BasicAckAsync(writes.Max(w => w.Delivery.Tag), multiple: true, cancellationToken);
    }

    static FeedWrite[]? Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            return FeedWriteQueue.Deserialize(body) is { Length: > 0 } writes && writes.All(w => w is not null && w.IsValid()) ? writes : null;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Failures that pass on their own (database or Redis away, a deadlock, a timeout): these retry without limit.</summary>
    static bool IsTransient(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or RedisException or TimeoutException or RetryLimitExceededException)
            {
                return true;
            }
        }
        return false;
    }

    static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
