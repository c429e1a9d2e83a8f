using StackExchange.Redis;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// The one way our read-through caches write back and invalidate. A reader that loaded a row just before a change and
/// writes it back just after the writer's invalidation would otherwise leave the old value cached until its TTL; so an
/// invalidation leaves a short "hold" marker beside the key, and a write-back skips keys that carry one.
/// <para>
/// Ours, not HybridCache's: HybridCache writes back whatever its factory returned, with no such hold (its <c>RemoveAsync</c>
/// does not stop a load in flight from landing), one key per call (our caches fill a page's misses in one round trip),
/// and its in-memory level is per process, so a write on one replica would leave the others' copies stale.
/// </para>
/// </summary>
public static class CacheFill
{
    // KEYS come in pairs (key, its hold marker); ARGV in pairs (value, TTL in ms) for the same key.
    const string FillScript = """
        for i = 1, #KEYS, 2 do
          if redis.call('EXISTS', KEYS[i + 1]) == 0 then
            redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[i + 1])
          end
        end
        return 0
        """;

    // KEYS[1] the set, KEYS[2] its hold marker; ARGV[1] the TTL in ms, the rest the members.
    const string FillSetScript = """
        if redis.call('EXISTS', KEYS[2]) == 0 then
          redis.call('DEL', KEYS[1])
          redis.call('SADD', KEYS[1], unpack(ARGV, 2))
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
        end
        return 0
        """;

    // KEYS as above; ARGV[1] is the hold in ms.
    const string InvalidateScript = """
        for i = 1, #KEYS, 2 do
          redis.call('DEL', KEYS[i])
          redis.call('SET', KEYS[i + 1], '1', 'PX', ARGV[1])
        end
        return 0
        """;

    public static string HoldKey(string key) => key + ":invalidated";

    /// <summary>Caches values just loaded from the source of truth, in one round trip, except keys invalidated meanwhile.</summary>
    public static Task FillUnlessInvalidatedAsync(this IDatabaseAsync redis, IReadOnlyCollection<(string Key, RedisValue Value, TimeSpan TimeToLive)> entries)
    {
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }
        var keys = new RedisKey[entries.Count * 2];
        var args = new RedisValue[entries.Count * 2];
        var i = 0;
        foreach (var (key, value, timeToLive) in entries)
        {
            (keys[i], keys[i + 1]) = (key, HoldKey(key));
            (args[i], args[i + 1]) = (value, (long)timeToLive.TotalMilliseconds);
            i += 2;
        }
        return redis.ScriptEvaluateAsync(FillScript, keys, args);
    }

    /// <summary>Caches a set just loaded from the source of truth (replacing any older copy), unless it was invalidated meanwhile.</summary>
    public static Task FillSetUnlessInvalidatedAsync(this IDatabaseAsync redis, string key, IReadOnlyCollection<RedisValue> members, TimeSpan timeToLive) =>
        members.Count == 0
            ? Task.CompletedTask // Redis keeps no empty sets
            : redis.ScriptEvaluateAsync(FillSetScript, [key, HoldKey(key)], [(long)timeToLive.TotalMilliseconds, .. members]);

    /// <summary>Drops the keys and holds them out of the cache for <paramref name="hold"/> (longer than a database read takes).</summary>
    public static Task InvalidateAsync(this IDatabaseAsync redis, IEnumerable<string> keys, TimeSpan hold)
    {
        RedisKey[] pairs = [.. keys.Distinct().SelectMany(key => new[] { key, HoldKey(key) })];
        return pairs.Length == 0
            ? Task.CompletedTask
            : redis.ScriptEvaluateAsync(InvalidateScript, pairs, [(long)hold.TotalMilliseconds]);
    }
}
