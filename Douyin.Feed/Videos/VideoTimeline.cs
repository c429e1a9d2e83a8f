using Douyin.ServiceDefaults.Concurrency;

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
    RedisConnection redis, FeedDbContext db, VideoTimeline.SharedNewestReads newestReads, IOptions<FeedOptions> options, TimeProvider time,
    ILogger<VideoTimeline> logger)
{
    /// <summary>
    /// Redis reads of the newest page in flight in this process, shared by their callers (a singleton): every viewer
    /// opening the app asks for that page at the same moment. Keyed by the page size.
    /// </summary>
    public sealed class SharedNewestReads : SingleFlight<int, (long? Floor, SortedSetEntry[] Entries)>;

    public const string Key = "feed:timeline";
    public const string FloorKey = "feed:timeline:floor";
    public const string LockKey = "feed:timeline:lock";

    // KEYS: timeline, floor. ARGV: score, member, ttl ms, capacity. Trims a warm timeline to capacity, raising the floor.
    static readonly RedisScript s_add = new("""
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
        """);

    // KEYS: timeline, floor. ARGV: floor, ttl ms, then score/member pairs. Adds to (never replaces) what publishes wrote meanwhile.
    static readonly RedisScript s_rebuild = new("""
        for i = 3, #ARGV, 2 do
            redis.call('ZADD', KEYS[1], ARGV[i], ARGV[i + 1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
        return 1
        """);

    // KEYS: timeline, floor. The floor only while the set it describes exists: a set lost on its own (deleted by hand,
    // expired first) must not leave a floor that calls an empty or partial set complete.
    static readonly RedisScript s_floor = new("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('GET', KEYS[2]) end
        return false
        """);

    static readonly RedisScript s_release = new("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """);

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
            // A page that starts after now is the newest page, whoever asks: concurrent askers share one read (a video
            // published during that read may show on the next one, as it would for a request a moment earlier).
            var (floor, cached) = beforeMs > time.GetUtcNow().ToUnixTimeMilliseconds()
                ? await newestReads.RunAsync(count, () => ReadCachedAsync(beforeMs, count, CancellationToken.None), cancellationToken)
                : await ReadCachedAsync(beforeMs, count, cancellationToken);
            if (floor is null && await GetFloorAsync(cancellationToken) is { } rebuilt && beforeMs > rebuilt)
            {
                (floor, cached) = (rebuilt, await redis.ZRevRangeByScoreWithScoresAsync(Key, $"({beforeMs}", rebuilt, 0, count, cancellationToken));
            }
            // Fewer than asked above a non-zero floor: the rest of the page is older than Redis keeps.
            if (floor is { } known && beforeMs > known && (cached.Length == count || known == 0))
            {
                return [.. cached.Select(e => new Entry((long)e.Member, (long)e.Score))
                    .OrderByDescending(e => e.PublishedAtMs).ThenByDescending(e => e.VideoId)];
            }
        }
        catch (RedisException ex)
        {
            logger.LogWarning(ex, "Feed timeline unavailable; reading PostgreSQL");
        }
        return await QueryBeforeAsync(DateTimeOffset.FromUnixTimeMilliseconds(beforeMs), count, cancellationToken);
    }

    /// <summary>What Redis holds of the page: the floor (null when the timeline is not cached) and the entries above it.</summary>
    async Task<(long? Floor, SortedSetEntry[] Entries)> ReadCachedAsync(long beforeMs, int count, CancellationToken cancellationToken)
    {
        if ((long?)await s_floor.EvaluateAsync(redis, [Key, FloorKey], [], cancellationToken) is not { } floor)
        {
            return (null, []);
        }
        return beforeMs > floor
            ? (floor, await redis.ZRevRangeByScoreWithScoresAsync(Key, $"({beforeMs}", floor, 0, count, cancellationToken))
            : (floor, []);
    }

    public async Task<List<Entry>> ReadAtAsync(long publishedAtMs, CancellationToken cancellationToken)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(publishedAtMs);
        var ids = await db.Videos.AsNoTracking().Where(v => v.CreatedAt == at).OrderByDescending(v => v.Id).Select(v => v.Id).ToListAsync(cancellationToken);
        return [.. ids.Select(id => new Entry(id, publishedAtMs))];
    }

    /// <summary>Adds a committed video; harmless to repeat.</summary>
    public Task AddAsync(Video video, CancellationToken cancellationToken) =>
        s_add.EvaluateAsync(redis, [Key, FloorKey],
            [video.CreatedAt.ToUnixTimeMilliseconds(), video.Id, (long)_options.TimelineTtl.TotalMilliseconds, _options.TimelineCapacity],
            cancellationToken);

    async Task<long?> GetFloorAsync(CancellationToken cancellationToken)
    {
        if ((long?)await s_floor.EvaluateAsync(redis, [Key, FloorKey], [], cancellationToken) is { } floor)
        {
            return floor;
        }

        var lockToken = Guid.NewGuid().ToString("N");
        if (await redis.SetAsync(LockKey, lockToken, _options.RebuildLockTtl, SetCondition.NotExists, cancellationToken))
        {
            try
            {
                return await RebuildAsync(cancellationToken);
            }
            finally
            {
                await s_release.EvaluateAsync(redis, [LockKey], [lockToken], CancellationToken.None);
            }
        }

        // Someone else is rebuilding: wait for their result rather than add to the load on PostgreSQL.
        var deadline = time.GetUtcNow() + _options.RebuildWait;
        while (time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            if ((long?)await redis.GetAsync(FloorKey, cancellationToken) is { } rebuilt)
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
        var args = new List<RedisArg> { floor, (long)_options.TimelineTtl.TotalMilliseconds };
        foreach (var entry in newest.Take(capacity))
        {
            args.Add(entry.PublishedAtMs);
            args.Add(entry.VideoId);
        }
        await s_rebuild.EvaluateAsync(redis, [Key, FloorKey], [.. args], cancellationToken);
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
