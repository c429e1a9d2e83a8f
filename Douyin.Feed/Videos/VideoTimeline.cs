using System.ComponentModel;
using Douyin.ServiceDefaults.Concurrency;
using Microsoft.Extensions.Caching.Hybrid;

namespace Douyin.Feed.Videos;

/// <summary>
/// The feed's order: video ids newest first, paged by publish time in milliseconds.
/// <para>
/// Redis holds the newest <see cref="FeedOptions.TimelineCapacity"/> ids in a sorted set scored by publish time
/// (<c>feed:timeline</c>) and, in <c>feed:timeline:floor</c>, the time from which that set is complete (0 when it
/// holds every video). A page whose range the set covers is one ZREVRANGEBYSCORE; older pages are keyset queries on
/// PostgreSQL's (created_at desc, id desc) index, so no page costs more as videos accumulate. PostgreSQL is the
/// source of truth: when the floor key or the set is missing (flush, expiry) one request rebuilds the set under a short lock
/// while the others wait for it, and a publish adds its id whether or not the set is warm, so a rebuild racing a
/// publish cannot lose it.
/// </para>
/// </summary>
public sealed class VideoTimeline(
    IConnectionMultiplexer redis, FeedDbContext db, HybridCache reads, IOptions<FeedOptions> options, TimeProvider time,
    ILogger<VideoTimeline> logger)
{
    /// <summary>What Redis holds of a page: the floor (null when the timeline is not cached) and the entries above it.</summary>
    [ImmutableObject(true)]
    sealed record CachedPage(long? Floor, Entry[] Entries);

    public const string Key = "feed:timeline";
    public const string FloorKey = "feed:timeline:floor";
    public const string LockKey = "feed:timeline:lock";

    // KEYS: timeline, floor. ARGV: score, member, ttl ms, capacity. Trims a warm timeline to capacity, raising the floor.
    const string AddScript = """
        redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
        if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
        local floor = redis.call('GET', KEYS[2])
        if not floor then return 0 end
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
        if excess <= 0 then return 0 end
        local newest_removed = redis.call('ZRANGE', KEYS[1], excess - 1, excess - 1, 'WITHSCORES')
        redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
        local new_floor = tonumber(newest_removed[2]) + 1
        if new_floor > tonumber(floor) then redis.call('SET', KEYS[2], new_floor, 'KEEPTTL') end
        return excess
        """;

    // KEYS: timeline, floor. ARGV: floor, ttl ms, then score/member pairs. Adds to (never replaces) what publishes wrote meanwhile.
    const string RebuildScript = """
        for i = 3, #ARGV, 2 do
            redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    // KEYS: timeline, floor. The floor only while the set it describes exists: a set lost on its own (deleted by hand,
    // expired first) must not leave a floor that calls an empty or partial set complete.
    const string FloorScript = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('GET', KEYS[2]) end
        return false
        """;

    const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    readonly IDatabase _redis = redis.GetDatabase();
    readonly FeedOptions _options = options.Value;

    public readonly record struct Entry(long VideoId, long PublishedAtMs);

    /// <summary>
    /// Up to <paramref name="count"/> entries published strictly before <paramref name="beforeMs"/>, newest first
    /// (ties by id, newest first).
    /// </summary>
    public async Task<List<Entry>> ReadBeforeAsync(long beforeMs, int count, CancellationToken cancellationToken)
    {
        try
        {
            // A page that starts after now is the newest page, whoever asks: every viewer opening the app asks for it
            // at the same moment, and they share one read (a video published during that read may show on the next
            // one, as it would for a request a moment earlier).
            var (floor, cached) = beforeMs > time.GetUtcNow().ToUnixTimeMilliseconds()
                ? await reads.ShareInFlightAsync($"feed:timeline-newest:{count}", (Timeline: this, BeforeMs: beforeMs, Count: count),
                    static (s, _) => s.Timeline.ReadCachedAsync(s.BeforeMs, s.Count), cancellationToken)
                : await ReadCachedAsync(beforeMs, count);
            if (floor is null && await GetFloorAsync(cancellationToken) is { } rebuilt && beforeMs > rebuilt)
            {
                (floor, cached) = (rebuilt, await ReadAboveAsync(beforeMs, rebuilt, count));
            }
            // Fewer than asked above a non-zero floor: the rest of the page is older than Redis keeps.
            if (floor is { } known && beforeMs > known && (cached.Length == count || known == 0))
            {
                return [.. cached.OrderByDescending(e => e.PublishedAtMs).ThenByDescending(e => e.VideoId)];
            }
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning(ex, "Feed timeline unavailable; reading PostgreSQL");
        }
        return await QueryBeforeAsync(DateTimeOffset.FromUnixTimeMilliseconds(beforeMs), count, cancellationToken);
    }

    async ValueTask<CachedPage> ReadCachedAsync(long beforeMs, int count)
    {
        if ((long?)await _redis.ScriptEvaluateAsync(FloorScript, [Key, FloorKey]) is not { } floor)
        {
            return new(null, []);
        }
        return new(floor, beforeMs > floor ? await ReadAboveAsync(beforeMs, floor, count) : []);
    }

    /// <summary>Up to <paramref name="count"/> entries scored from <paramref name="floor"/> up to, not including, <paramref name="beforeMs"/>, highest first.</summary>
    async Task<Entry[]> ReadAboveAsync(long beforeMs, long floor, int count)
    {
        var entries = await _redis.SortedSetRangeByScoreWithScoresAsync(Key, floor, beforeMs, Exclude.Stop, Order.Descending, 0, count);
        return [.. entries.Select(e => new Entry((long)e.Element, (long)e.Score))];
    }

    public async Task<List<Entry>> ReadAtAsync(long publishedAtMs, CancellationToken cancellationToken)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(publishedAtMs);
        var ids = await db.Videos.AsNoTracking().Where(v => v.CreatedAt == at).OrderByDescending(v => v.Id).Select(v => v.Id).ToListAsync(cancellationToken);
        return [.. ids.Select(id => new Entry(id, publishedAtMs))];
    }

    /// <summary>Adds a committed video; harmless to repeat.</summary>
    public Task AddAsync(Video video) =>
        _redis.ScriptEvaluateAsync(AddScript, [Key, FloorKey],
            [video.CreatedAt.ToUnixTimeMilliseconds(), video.Id, (long)_options.TimelineTtl.TotalMilliseconds, _options.TimelineCapacity]);

    async Task<long?> GetFloorAsync(CancellationToken cancellationToken)
    {
        if ((long?)await _redis.ScriptEvaluateAsync(FloorScript, [Key, FloorKey]) is { } floor)
        {
            return floor;
        }

        var lockToken = Guid.NewGuid().ToString("N");
        if (await _redis.StringSetAsync(LockKey, lockToken, _options.RebuildLockTtl, When.NotExists))
        {
            try
            {
                return await RebuildAsync(cancellationToken);
            }
            finally
            {
                await _redis.ScriptEvaluateAsync(ReleaseScript, [LockKey], [lockToken]);
            }
        }

        // Someone else is rebuilding: wait for their result rather than add to the load on PostgreSQL.
        var deadline = time.GetUtcNow() + _options.RebuildWait;
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            if ((long?)await _redis.StringGetAsync(FloorKey) is { } rebuilt)
            {
                return rebuilt;
            }
        }
        return null;
    }

    async Task<long> RebuildAsync(CancellationToken cancellationToken)
    {
        var capacity = _options.TimelineCapacity;
        var newest = await QueryBeforeAsync(before: null, capacity + 1, cancellationToken);
        // Complete above the newest video left out; everything when nothing was left out.
        var floor = newest.Count > capacity ? newest[capacity].PublishedAtMs + 1 : 0;
        var args = new List<RedisValue> { floor, (long)_options.TimelineTtl.TotalMilliseconds };
        foreach (var entry in newest.Take(capacity))
        {
            args.Add(entry.PublishedAtMs);
            args.Add(entry.VideoId);
        }
        await _redis.ScriptEvaluateAsync(RebuildScript, [Key, FloorKey], [.. args]);
        logger.LogInformation("Rebuilt the feed timeline with {Count} videos", Math.Min(newest.Count, capacity));
        return floor;
    }

    async Task<List<Entry>> QueryBeforeAsync(DateTimeOffset? before, int count, CancellationToken cancellationToken)
    {
        var videos = db.Videos.AsNoTracking();
        if (before is { } cursor)
        {
            videos = videos.Where(v => v.CreatedAt < cursor);
        }
        var rows = await videos
            .OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id)
            .Select(v => new { v.Id, v.CreatedAt })
            .Take(count)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new Entry(r.Id, r.CreatedAt.ToUnixTimeMilliseconds()))];
    }
}
