namespace Douyin.Feed.Writes;

/// <summary>The write queue of likes and comments (section <c>FeedWrites</c>).</summary>
public sealed class FeedWritesOptions
{
    public const string SectionName = "FeedWrites";

    /// <summary>Most writes applied in one transaction (whole messages: a batch stops at the message that reaches it); a batch is whatever has arrived, so a quiet queue waits for nothing.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Consumers (channels) per Feed process; replicas add theirs. Their batches may overlap: rows are locked in one order.</summary>
    public int Consumers { get; set; } = 2;

    /// <summary>How long an action endpoint waits for the broker's confirmation before answering with an error.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Confirm channels the publishers share; each carries several unconfirmed messages at once.</summary>
    public int PublishChannels { get; set; } = 1;

    /// <summary>Most writes put into one message; the writes waiting when a publisher is free share its next message.</summary>
    public int MaxWritesPerMessage { get; set; } = 100;

    /// <summary>Messages of writes awaiting the broker's confirmation at once, per Feed process.</summary>
    public int ConcurrentPublishes { get; set; } = 4;

    /// <summary>Attempts of a batch that fails for a non-transient reason before its messages are tried one by one (and a failing one dead-lettered).</summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>First delay before retrying a batch; it doubles up to 30 s while the database or Redis stays away.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
