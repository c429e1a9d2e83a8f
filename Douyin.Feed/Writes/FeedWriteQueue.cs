using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Douyin.EventBus.Messaging;
using RabbitMQ.Client;

namespace Douyin.Feed.Writes;

/// <summary>
/// The durable work queue <c>feed.writes</c> of likes and comments. <see cref="EnqueueAsync"/> returns only once the
/// broker has confirmed the persistent message holding the write, so an endpoint never answers "done" for a write
/// that could be lost. A message the consumers cannot use dead-letters through <c>feed.writes.dlx</c> into
/// <c>feed.writes.dead</c>.
/// <para>
/// Writes are group-committed: a few publishers each take whatever writes are waiting (up to
/// <see cref="FeedWritesOptions.MaxWritesPerMessage"/>) into one message, a JSON array, and complete all of them on its
/// confirmation. A quiet queue sends each write at once; under load, the writes that arrive while a confirmation is
/// awaited share the next message, so the broker stores and delivers far fewer messages than there are writes.
/// </para>
/// </summary>
public sealed class FeedWriteQueue : IAsyncDisposable
{
    public const string QueueName = "feed.writes";
    public const string DeadLetterExchangeName = "feed.writes.dlx";
    public static readonly string DeadLetterQueueName = DeadLetteredQueue.DeadQueueName(QueueName);

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { AllowOutOfOrderMetadataProperties = true };

    /// <summary>A write waiting for its message, with the request's span that waits for it (null without a listener).</summary>
    sealed record Pending(FeedWrite Write, TaskCompletionSource Confirmed, Activity? Request);

    readonly ConfirmedPublisher _publisher;
    readonly FeedWritesOptions _options;
    readonly ILogger<FeedWriteQueue> _logger;
    readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>();
    readonly Task[] _publishers;

    public FeedWriteQueue(RabbitMQConnectionSource connections, IOptions<FeedWritesOptions> options, ILogger<FeedWriteQueue> logger)
    {
        _options = options.Value;
        _publisher = new(connections, _options.PublishChannels, Math.Max(1, _options.ConcurrentPublishes), _options.PublishTimeout, DeclareAsync, logger);
        _logger = logger;
        _publishers = [.. Enumerable.Range(0, Math.Max(1, _options.ConcurrentPublishes)).Select(_ => Task.Run(PublishWaitingWritesAsync))];
    }

    /// <summary>Publisher and consumers declare the same topology, so whichever starts first creates it.</summary>
    public static Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.DeclareDeadLetteredQueueAsync(QueueName, DeadLetterExchangeName, cancellationToken);

    /// <summary>What a consumer reads from a message: one write (as older Feeds sent them) or an array of them.</summary>
    public static FeedWrite[]? Deserialize(ReadOnlySpan<byte> body)
    {
        var json = body.TrimStart(" \t\r\n"u8);
        if (json.Length > 0 && json[0] == (byte)'[')
        {
            return JsonSerializer.Deserialize<FeedWrite[]>(json, JsonOptions);
        }
        return JsonSerializer.Deserialize<FeedWrite>(json, JsonOptions) is { } write ? [write] : null;
    }

    /// <exception cref="BrokerPublishException">The broker did not confirm the write in time; it may or may not be queued.</exception>
    public async Task EnqueueAsync(FeedWrite write, CancellationToken cancellationToken)
    {
        var pending = new Pending(write, new(TaskCreationOptions.RunContinuationsAsynchronously), Activity.Current);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new BrokerPublishException("Feed is stopping; the write was not queued.");
        }
        try
        {
            // The publish itself times out as well; this also bounds the wait for a publisher while the broker is away.
            await pending.Confirmed.Task.WaitAsync(_options.PublishTimeout, cancellationToken);
        }
        catch (TimeoutException ex)
        {
            throw new BrokerPublishException(
                $"The broker did not confirm {write.GetType().Name} {write.Sequence} within {_options.PublishTimeout.TotalSeconds:0.#} s; is RabbitMQ reachable?", ex);
        }
    }

    /// <summary>What the action endpoints call: null once the broker confirmed the write, else the refusal to answer with.</summary>
    public async Task<ApiError?> TryEnqueueAsync(FeedWrite write, CancellationToken cancellationToken)
    {
        try
        {
            await EnqueueAsync(write, cancellationToken);
            return null;
        }
        catch (BrokerPublishException ex)
        {
            _logger.LogWarning(ex, "Refusing {Write}: the broker did not confirm it", write);
            // Retrying is safe: likes keep the last action, and a delete of a deleted comment changes nothing.
            return new(ApiStatus.Unavailable, "The change could not be confirmed (the message broker is unavailable); please try again.");
        }
    }

    async Task PublishWaitingWritesAsync()
    {
        var batch = new List<Pending>(_options.MaxWritesPerMessage);
        while (await _pending.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < _options.MaxWritesPerMessage && _pending.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }
            if (batch.Count == 0)
            {
                continue; // another publisher took them
            }
            // The publishers run apart from the requests: RabbitMQ.Client parents its publish span on Activity.Current,
            // so the message joins the trace of the request waiting for its first write, not whatever ran before.
            Activity.Current = batch[0].Request;
            try
            {
                await PublishAsync(batch);
                batch.ForEach(p => p.Confirmed.TrySetResult());
            }
            catch (Exception ex)
            {
                batch.ForEach(p => p.Confirmed.TrySetException(ex));
            }
        }
    }

    Task PublishAsync(List<Pending> batch)
    {
        FeedWrite[] writes = [.. batch.Select(p => p.Write)];
        var body = JsonSerializer.SerializeToUtf8Bytes(writes, JsonOptions);
        var first = writes[0];
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            // Unique: sequences are, and a message holds consecutive writes of this process.
            MessageId = writes.Length == 1
                ? first.Sequence.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{first.Sequence}+{writes.Length}"),
            Type = writes.Length == 1 ? first.GetType().Name : "FeedWriteBatch",
            ContentType = "application/json",
        };
        // Mandatory through the default exchange: should the queue be missing, the broker returns the message and
        // the publish fails instead of dropping it.
        return _publisher.PublishAsync("", QueueName, mandatory: true, properties, body,
            writes.Length == 1 ? $"{first.GetType().Name} {first.Sequence}" : $"{writes.Length} feed writes", CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_publishers);
        await _publisher.DisposeAsync();
    }
}
