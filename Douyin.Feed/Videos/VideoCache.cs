using System.ComponentModel;
using System.Text.Json;
using Douyin.ServiceDefaults.Concurrency;
using Microsoft.Extensions.Caching.Hybrid;

namespace Douyin.Feed.Videos;

/// <summary>
/// Video records by id: Redis first (<c>feed:video:{id}</c>, JSON), then one PostgreSQL query for the rest, which are
/// written back. An id that does not exist is cached as an empty string for a short while, so lookups of unknown ids
/// do not reach the database every time. Whoever changes a video's row calls <see cref="InvalidateAsync"/>.
/// </summary>
public sealed class VideoCache(
    IConnectionMultiplexer redis, FeedDbContext db, HybridCache reads, IOptions<FeedOptions> options, ILogger<VideoCache> logger)
{
    const string Missing = "";

    /// <summary>What Redis holds of some ids, shared by the callers of one read: none of them changes it.</summary>
    [ImmutableObject(true)]
    sealed record CachedRecords(Dictionary<long, Video> Found, List<long> Misses);

    readonly IDatabase _redis = redis.GetDatabase();
    readonly FeedOptions _options = options.Value;

    public static string Key(long videoId) => $"feed:video:{videoId}";

    /// <summary>The videos that exist among <paramref name="ids"/>, by id.</summary>
    public async Task<Dictionary<long, Video>> GetAsync(IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        // Every viewer of the feed's first page reads the same ids at the same moment: they share the Redis read.
        var (cached, misses) = await reads.ShareInFlightAsync(
            "feed:video-read:" + string.Join(',', ids), (Cache: this, Ids: ids), static (s, _) => s.Cache.ReadCachedAsync(s.Ids), cancellationToken);
        var found = new Dictionary<long, Video>(cached);
        if (misses.Count == 0)
        {
            return found;
        }

        var loaded = await db.Videos.AsNoTracking().Where(v => misses.Contains(v.Id)).ToListAsync(cancellationToken);
        foreach (var video in loaded)
        {
            found[video.Id] = video;
        }
        await WriteAsync(misses.Select(id => (id, found.GetValueOrDefault(id))));
        return found;
    }

    /// <summary>What Redis holds of <paramref name="ids"/>, and the ids it does not know (all of them while Redis is away).</summary>
    async ValueTask<CachedRecords> ReadCachedAsync(IReadOnlyList<long> ids)
    {
        var found = new Dictionary<long, Video>(ids.Count);
        var misses = new List<long>();
        try
        {
            // The client's own timeout bounds it (SyncTimeout).
            var cached = await _redis.StringGetAsync([.. ids.Select(Key)]);
            for (var i = 0; i < ids.Count; i++)
            {
                switch ((string?)cached[i])
                {
                    case null:
                        misses.Add(ids[i]);
                        break;
                    case Missing:
                        break;
                    case var json:
                        found[ids[i]] = JsonSerializer.Deserialize<Video>(json)!;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            // PostgreSQL is the source of truth: a Redis outage makes the feed slower, not broken.
            logger.LogWarning(ex, "Video cache unavailable; reading PostgreSQL");
            return new([], [.. ids]);
        }
        return new(found, misses);
    }

    /// <summary>One video, or null when it does not exist.</summary>
    public async Task<Video?> FindAsync(long id, CancellationToken cancellationToken) =>
        (await GetAsync([id], cancellationToken)).GetValueOrDefault(id);

    /// <summary>Caches a video just written (publishing), replacing any "missing" marker for its id.</summary>
    public Task SetAsync(Video video) => WriteAsync([(video.Id, video)]);

    /// <summary>Drops changed records, and keeps readers that loaded them before the change from writing them back.</summary>
    public Task InvalidateAsync(IReadOnlyCollection<long> ids) => _redis.InvalidateAsync(ids.Select(Key), _options.InvalidationHold);

    async Task WriteAsync(IEnumerable<(long Id, Video? Video)> records)
    {
        (string, RedisValue, TimeSpan)[] entries = [.. records.Select(r => r.Video is null
            ? (Key(r.Id), (RedisValue)Missing, _options.MissingVideoTtl)
            : (Key(r.Id), (RedisValue)JsonSerializer.Serialize(r.Video), _options.VideoTtl))];
        try
        {
            await _redis.FillUnlessInvalidatedAsync(entries);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning(ex, "Could not cache {Count} video records", entries.Length);
        }
    }
}
