namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// The one way our read-through caches write back and invalidate. A reader that loaded a row just before a change and
/// writes it back just after the writer's invalidation would otherwise leave the old value cached until its TTL; so an
/// invalidation leaves a short "hold" marker beside the key, and a write-back skips keys that carry one.
/// </summary>
public static class CacheFill
{
    // KEYS come in pairs (key, its hold marker); ARGV in pairs (value, TTL in ms) for the same key.
    static readonly RedisScript s_fill = new("""
        for i = 1, #KEYS, 2 do
          if redis.call('EXISTS', KEYS[i + 1]) == 0 then
            redis.call('SET', KEYS[i], ARGV[i], 'PX', ARGV[i + 1])
          end
        end
        return 0
        """);

    // KEYS[1] the set, KEYS[2] its hold marker; ARGV[1] the TTL in ms, the rest the members.
    static readonly RedisScript s_fillSet = new("""
        if redis.call('EXISTS', KEYS[2]) == 0 then
          redis.call('DEL', KEYS[1])
          redis.call('SADD', KEYS[1], unpack(ARGV, 2))
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
        end
        return 0
        """);

    // KEYS as above; ARGV[1] is the hold in ms.
    static readonly RedisScript s_invalidate = new("""
        for i = 1, #KEYS, 2 do
          redis.call('DEL', KEYS[i])
          redis.call('SET', KEYS[i + 1], '1', 'PX', ARGV[1])
        end
        return 0
        """);

    public static string HoldKey(string key) => key + ":invalidated";

    /// <summary>Caches values just loaded from the source of truth, in one round trip, except keys invalidated meanwhile.</summary>
    public static Task FillUnlessInvalidatedAsync(
        this RedisConnection redis, IReadOnlyCollection<(string Key, RedisArg Value, TimeSpan TimeToLive)> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }
        var keys = new string[entries.Count * 2];
        var args = new RedisArg[entries.Count * 2];
        var i = 0;
        foreach (var (key, value, timeToLive) in entries)
        {
            keys[i] = key;
            keys[i + 1] = HoldKey(key);
            args[i] = value;
            args[i + 1] = (long)timeToLive.TotalMilliseconds;
            i += 2;
        }
        return s_fill.EvaluateAsync(redis, keys, args, cancellationToken);
    }

    /// <summary>Caches a set just loaded from the source of truth (replacing any older copy), unless it was invalidated meanwhile.</summary>
    public static Task FillSetUnlessInvalidatedAsync(
        this RedisConnection redis, string key, IReadOnlyCollection<RedisArg> members, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (members.Count == 0)
        {
            return Task.CompletedTask; // Redis keeps no empty sets
        }
        return s_fillSet.EvaluateAsync(redis, [key, HoldKey(key)], [(long)timeToLive.TotalMilliseconds, .. members], cancellationToken);
    }

    /// <summary>Drops the keys and holds them out of the cache for <paramref name="hold"/> (longer than a database read takes).</summary>
    public static Task InvalidateAsync(this RedisConnection redis, IEnumerable<string> keys, TimeSpan hold, CancellationToken cancellationToken)
    {
        string[] pairs = [.. keys.Distinct().SelectMany(key => new[] { key, HoldKey(key) })];
        return pairs.Length == 0
            ? Task.CompletedTask
            : s_invalidate.EvaluateAsync(redis, pairs, [(long)hold.TotalMilliseconds], cancellationToken);
    }
}
