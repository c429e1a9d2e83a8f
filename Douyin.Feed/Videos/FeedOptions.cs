namespace Douyin.Feed.Videos;

/// <summary>The feed's page size and its Redis cache (section <c>Feed</c>).</summary>
public sealed class FeedOptions
{
    public const string SectionName = "Feed";

    /// <summary>Videos per feed page; the client shows what it gets (shared/api/douyin-api.md §3.1).</summary>
    public int PageSize { get; set; } = 30;

    /// <summary>How many of the newest videos the Redis timeline holds; older pages are keyset queries on PostgreSQL.</summary>
    public int TimelineCapacity { get; set; } = 1000;

    /// <summary>The timeline is rebuilt from PostgreSQL at least this often, which also heals any drift.</summary>
    public TimeSpan TimelineTtl { get; set; } = TimeSpan.FromMinutes(10);

    public TimeSpan VideoTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an id that does not exist is remembered as missing, so repeated lookups skip the database.</summary>
    public TimeSpan MissingVideoTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a viewer's cached set of liked videos (is_favorite) lives; it bounds staleness if an invalidation is lost.</summary>
    public TimeSpan LikedSetTtl { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A viewer who likes more videos than this is answered by PostgreSQL each time, so one huge set is never loaded whole.</summary>
    public int MaxCachedLikes { get; set; } = 5000;

    /// <summary>How long a changed video record or liked set is kept out of the cache, so a reader from before the change cannot put it back.</summary>
    public TimeSpan InvalidationHold { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one request may hold the right to rebuild a cold timeline.</summary>
    public TimeSpan RebuildLockTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long other requests wait for that rebuild before reading PostgreSQL themselves.</summary>
    public TimeSpan RebuildWait { get; set; } = TimeSpan.FromSeconds(2);
}
