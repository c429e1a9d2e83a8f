namespace Douyin.EventBus.Inbox;

/// <summary>An inbox row: <see cref="Consumer"/> has applied the event <see cref="EventId"/>.</summary>
public sealed class ProcessedIntegrationEvent
{
    public const string TableName = "integration_event_inbox";

    public required Guid EventId { get; init; }

    /// <summary>Names the handler, so two handlers of one event in one database are deduplicated separately.</summary>
    public required string Consumer { get; init; }

    public DateTimeOffset ProcessedAt { get; init; }
}
