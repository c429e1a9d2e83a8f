using System.Text.Json;
using Douyin.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Douyin.Social.Accounts;

public sealed class UserCardCacheOptions
{
    public const string SectionName = "UserCards";

    /// <summary>How long a card may stay cached; it bounds how stale a card gets if an invalidation is lost (Redis blip).</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Whom a viewer follows is cached (for is_follow) only up to this many users; a viewer who follows more is answered
    /// by PostgreSQL each time, so one huge set never has to be loaded and shipped whole.
    /// </summary>
    public int MaxCachedFollowing { get; set; } = 5000;

    /// <summary>
    /// How long after an invalidation no card of that user may be cached, so a reader that loaded the old row just
    /// before the change cannot put it back. Longer than a database read takes.
    /// </summary>
    public TimeSpan InvalidationHold { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The viewer-independent part of each user's card (is_follow false) as JSON under <c>social:card:v1:{id}</c>, read for
/// a whole batch with one MGET; and whom each viewer follows, as a <see cref="CachedIdSet"/> under
/// <c>social:following:v1:{id}</c>, so that is_follow is one SMISMEMBER instead of a query on every request. Writers invalidate after their commit. Redis is an optimisation only: any Redis
/// failure makes a read a miss (PostgreSQL answers) and a write a no-op.
/// </summary>
public sealed class UserCardCache(IConnectionMultiplexer redis, IOptions<UserCardCacheOptions> options, ILogger<UserCardCache> logger)
{
    readonly IDatabase _redis = redis.GetDatabase();
    readonly UserCardCacheOptions _options = options.Value;

    // The version changes with the card's shape, so a deploy never reads cards cached by the previous one.
    public static string Key(long userId) => $"social:card:v1:{userId}";

    public static string FollowingKey(long userId) => $"social:following:v1:{userId}";

    public int MaxCachedFollowing => _options.MaxCachedFollowing;

    /// <summary>The cached cards among <paramref name="userIds"/>; the others are misses.</summary>
    public async Task<Dictionary<long, User>> GetAsync(IReadOnlyList<long> userIds)
    {
        var found = new Dictionary<long, User>(userIds.Count);
        if (userIds.Count == 0)
        {
            return found;
        }
        try
        {
            var values = await _redis.StringGetAsync([.. userIds.Select(Key)]);
            for (var i = 0; i < userIds.Count; i++)
            {
                if ((string?)values[i] is { } json && JsonSerializer.Deserialize<User>(json, DouyinApi.JsonOptions) is { } card)
                {
                    found[userIds[i]] = card;
                }
            }
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("User card cache unavailable, reading PostgreSQL: {Reason}", ex.Message);
        }
        return found;
    }

    /// <summary>Which of <paramref name="userIds"/> the viewer follows, from the cached set; null when that set is not cached.</summary>
    public async Task<HashSet<long>?> GetFollowedAsync(long viewerId, IReadOnlyList<long> userIds)
    {
        try
        {
            return await _redis.GetMembersAmongAsync(FollowingKey(viewerId), userIds);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("Following cache unavailable, reading PostgreSQL: {Reason}", ex.Message);
            return null;
        }
    }

    /// <summary>Caches whom the viewer follows (all of them: a partial set would answer is_follow wrongly), unless invalidated meanwhile.</summary>
    public Task SetFollowingAsync(long viewerId, IReadOnlyCollection<long> followeeIds) =>
        RunAsync(() => _redis.FillIdSetUnlessInvalidatedAsync(FollowingKey(viewerId), followeeIds, _options.TimeToLive));

    /// <summary>Caches cards just loaded from PostgreSQL, except those of users invalidated meanwhile.</summary>
    public Task SetAsync(IReadOnlyCollection<User> cards) =>
        RunAsync(() => _redis.FillUnlessInvalidatedAsync(
            [.. cards.Select(c => (Key(c.Id), (RedisValue)JsonSerializer.Serialize(c, DouyinApi.JsonOptions), _options.TimeToLive))]));

    /// <summary>
    /// Drops the cards of users whose counters or relations changed, and the following set of
    /// <paramref name="followingOf"/> (a follower who just followed or unfollowed). Call it after the commit; it
    /// ignores the caller's cancellation, because the change is committed and a copy left behind would stay stale
    /// until its TTL.
    /// </summary>
    public Task InvalidateAsync(IEnumerable<long> userIds, long? followingOf = null) =>
        RunAsync(() => _redis.InvalidateAsync(
            userIds.Select(Key).Concat(followingOf is { } follower ? [FollowingKey(follower)] : []), _options.InvalidationHold));

    async Task RunAsync(Func<Task> update)
    {
        try
        {
            await update();
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("User card cache not updated: {Reason}", ex.Message);
        }
    }
}
