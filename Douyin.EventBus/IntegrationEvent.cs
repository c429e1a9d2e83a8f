namespace Douyin.EventBus;

/// <summary>
/// A fact one service tells the others, e.g. <c>record VideoLikedIntegrationEvent(long VideoId, long UserId) : IntegrationEvent;</c>.
/// <see cref="Id"/> is the idempotency key consumers deduplicate on (see <c>TryBeginProcessingAsync</c>).
/// </summary>
public record IntegrationEvent
{
    /// <summary>Stamps the event from <see cref="TimeProvider.System"/>; set the properties to use another clock.</summary>
    public IntegrationEvent() : this(TimeProvider.System)
    {
    }

    public IntegrationEvent(TimeProvider timeProvider)
    {
        CreationDate = timeProvider.GetUtcNow();
        Id = Guid.CreateVersion7(CreationDate);
    }

    public Guid Id { get; init; }

    public DateTimeOffset CreationDate { get; init; }
}
