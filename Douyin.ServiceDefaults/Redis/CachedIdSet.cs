using StackExchange.Redis;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// A cached set of ids (whom a viewer follows, which videos a user likes), asked about a page at a time with one
/// SMISMEMBER. The set always holds <see cref="Sentinel"/> (no entity has id 0), which tells a cached set, even an
/// empty one, from a missing one: Redis keeps no empty sets. Filled and invalidated through <see cref="CacheFill"/>.
/// Ours, not HybridCache's: HybridCache keeps whole values, so each page would fetch and deserialize the whole set.
/// </summary>
public static class CachedIdSet
{
    public const long Sentinel = 0;

    /// <summary>Which of <paramref name="ids"/> are in the set at <paramref name="key"/>; null when that set is not cached.</summary>
    public static async Task<HashSet<long>?> GetMembersAmongAsync(this IDatabaseAsync redis, string key, IReadOnlyList<long> ids)
    {
        RedisValue[] members = [Sentinel, .. ids.Select(id => (RedisValue)id)];
        var found = await redis.SetContainsAsync(key, members);
        if (!found[0])
        {
            return null;
        }
        var present = new HashSet<long>();
        for (var i = 1; i < found.Length; i++)
        {
            if (found[i])
            {
                present.Add(ids[i - 1]);
            }
        }
        return present;
    }

    /// <summary>Caches the whole set just loaded from the source of truth (a partial one would answer wrongly), unless invalidated meanwhile.</summary>
    public static Task FillIdSetUnlessInvalidatedAsync(this IDatabaseAsync redis, string key, IReadOnlyCollection<long> ids, TimeSpan timeToLive) =>
        redis.FillSetUnlessInvalidatedAsync(key, [Sentinel, .. ids.Select(id => (RedisValue)id)], timeToLive);
}
