using System.Globalization;
using System.Text.Json;
using Douyin.ServiceDefaults.Messaging;
using RabbitMQ.Client;

namespace Douyin.Feed.Writes;

/// <summary>
/// The durable work queue <c>feed.writes</c> of likes and comments. <see cref="EnqueueAsync"/> returns only once the
/// broker has confirmed the persistent message, so an endpoint never answers "done" for a write that could be lost.
/// A message the consumers cannot use dead-letters through <c>feed.writes.dlx</c> into <c>feed.writes.dead</c>.
/// </summary>
public sealed class FeedWriteQueue : IAsyncDisposable
{
    public const string QueueName = "feed.writes";
    public const string DeadLetterExchangeName = "feed.writes.dlx";
    public static readonly string DeadLetterQueueName = DeadLetteredQueue.DeadQueueName(QueueName);

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { AllowOutOfOrderMetadataProperties = true };

    readonly ConfirmedPublisher _publisher;
    readonly ILogger<FeedWriteQueue> _logger;

    public FeedWriteQueue(RabbitMQConnectionSource connections, IOptions<FeedWritesOptions> options, ILogger<FeedWriteQueue> logger)
    {
        var settings = options.Value;
        _publisher = new(connections, settings.PublishChannels, settings.MaxUnconfirmedPublishes, settings.PublishTimeout, DeclareAsync, logger);
        _logger = logger;
    }

    /// <summary>Publisher and consumers declare the same topology, so whichever starts first creates it.</summary>
    public static Task DeclareAsync(IChannel channel, CancellationToken cancellationToken) =>
        channel.DeclareDeadLetteredQueueAsync(QueueName, DeadLetterExchangeName, cancellationToken);

    /// <exception cref="BrokerPublishException">The broker did not confirm the write; it may or may not be queued.</exception>
    public Task EnqueueAsync(FeedWrite write, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(write, JsonOptions);
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = write.Sequence.ToString(CultureInfo.InvariantCulture),
            Type = write.GetType().Name,
            ContentType = "application/json",
        };
        // Mandatory through the default exchange: should the queue be missing, the broker returns the message and
        // the publish fails instead of dropping it.
        return _publisher.PublishAsync("", QueueName, mandatory: true, properties, body, $"{write.GetType().Name} {write.Sequence}", cancellationToken);
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

    public ValueTask DisposeAsync() => _publisher.DisposeAsync();
}
