namespace Douyin.EventBus;

/// <summary>Bound from the <c>EventBus</c> configuration section.</summary>
public sealed class EventBusOptions
{
    public const string SectionName = "EventBus";

    /// <summary>The service's queue; replicas of one service share it. Defaults to the application name.</summary>
    public string? SubscriptionClientName { get; set; }

    /// <summary>Unacknowledged messages the broker may push to one consumer.</summary>
    public ushort PrefetchCount { get; set; } = 32;

    /// <summary>
    /// Messages handled at once. Above one, handlers run concurrently and out of order, which retries and
    /// dead-lettering make unavoidable anyway; it also keeps one slow retry from stalling the queue.
    /// </summary>
    public ushort ConsumerConcurrency { get; set; } = 4;

    /// <summary>In-process retries of a failing handler before its message is dead-lettered.</summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>First retry delay; it doubles on each retry.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long a publish may wait for the connection and the broker's confirmation.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Confirm channels kept open and shared by every publish.</summary>
    public int PublishChannels { get; set; } = 2;

    /// <summary>Most events awaiting the broker's confirmation at once.</summary>
    public int MaxUnconfirmedPublishes { get; set; } = 1024;

    /// <summary>How often the outbox relay looks for events that were not published.</summary>
    public TimeSpan OutboxRelayInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Age after which the relay takes over an unpublished event; until then the request that committed it is
    /// expected to publish it, so the relay does not race it.
    /// </summary>
    public TimeSpan OutboxRelayDelay { get; set; } = TimeSpan.FromSeconds(10);
}
