namespace Douyin.Feed.Writes;

/// <summary>The write queue of likes and comments (section <c>FeedWrites</c>).</summary>
public sealed class FeedWritesOptions
{
    public const string SectionName = "FeedWrites";

    /// <summary>Most writes applied in one transaction; a batch is whatever has arrived, so a quiet queue waits for nothing.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>Consumers (channels) per Feed process; replicas add theirs. Their batches may overlap: rows are locked in one order.</summary>
    public int Consumers { get; set; } = 2;

    /// <summary>How long an action endpoint waits for the broker's confirmation before answering with an error.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Confirm channels shared by the action endpoints; each carries many unconfirmed writes at once.</summary>
    public int PublishChannels { get; set; } = 2;

    /// <summary>Most writes awaiting the broker's confirmation at once; more wait for a slot (within <see cref="PublishTimeout"/>).</summary>
    public int MaxUnconfirmedPublishes { get; set; } = 1024;

    /// <summary>Attempts of a batch that fails for a non-transient reason before its writes are tried one by one (and a failing one dead-lettered).</summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>First delay before retrying a batch; it doubles up to 30 s while the database or Redis stays away.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
