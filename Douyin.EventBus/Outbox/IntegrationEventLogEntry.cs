namespace Douyin.EventBus.Outbox;

/// <summary>An outbox row: an event saved in the same transaction as the change it announces.</summary>
public sealed class IntegrationEventLogEntry
{
    public const string TableName = "integration_event_log";

    public required Guid EventId { get; init; }

    public required string EventTypeName { get; init; }

    /// <summary>The event as JSON (jsonb).</summary>
    public required string Content { get; init; }

    public IntegrationEventState State { get; set; }

    public int TimesSent { get; set; }

    public required DateTimeOffset CreationTime { get; init; }
}

public enum IntegrationEventState
{
    NotPublished = 0,
    InProgress = 1,
    Published = 2,
    PublishedFailed = 3,
}
