using System.Buffers;

namespace Douyin.ServiceDefaults.Redis;

public enum SetCondition { Always, NotExists, Exists }

public readonly record struct SortedSetEntry(RedisValue Member, double Score);

/// <summary>Typed helpers, named after the Redis commands they send.</summary>
public sealed partial class RedisConnection
{
    /// <returns>The round-trip time.</returns>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        var started = _time.GetTimestamp();
        await ExecuteAsync("PING", [], cancellationToken);
        return _time.GetElapsedTime(started);
    }

    public Task<long> PublishAsync(string channel, RedisArg message, CancellationToken cancellationToken = default)
        => ToLong(ExecuteAsync("PUBLISH", [channel, message], cancellationToken));

    // Keys and strings

    public Task<RedisValue> GetAsync(string key, CancellationToken cancellationToken = default) => ExecuteAsync("GET", [key], cancellationToken);

    public Task<RedisValue[]> MGetAsync(ReadOnlySpan<string> keys, CancellationToken cancellationToken = default)
        => ToItems(Execute("MGET", keys, cancellationToken));

    /// <returns>False when <paramref name="when"/> prevented the write.</returns>
    public Task<bool> SetAsync(string key, RedisArg value, TimeSpan? expiry = null, SetCondition when = SetCondition.Always, CancellationToken cancellationToken = default)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(5);
        var count = 0;
        args[count++] = key;
        args[count++] = value;
        if (expiry is { } ttl)
        {
            args[count++] = "PX";
            args[count++] = (long)ttl.TotalMilliseconds;
        }
        if (when != SetCondition.Always)
        {
            args[count++] = when == SetCondition.NotExists ? "NX" : "XX";
        }
        return ToBool(ExecutePooled("SET", args, count, cancellationToken));
    }

    public Task<long> IncrByAsync(string key, long increment = 1, CancellationToken cancellationToken = default)
        => ToLong(ExecuteAsync("INCRBY", [key, increment], cancellationToken));

    public Task<long> DelAsync(ReadOnlySpan<string> keys, CancellationToken cancellationToken = default) => ToLong(Execute("DEL", keys, cancellationToken));

    /// <returns>How many of the keys exist.</returns>
    public Task<long> ExistsAsync(ReadOnlySpan<string> keys, CancellationToken cancellationToken = default) => ToLong(Execute("EXISTS", keys, cancellationToken));

    /// <summary>PEXPIRE: millisecond precision covers EXPIRE too.</summary>
    public Task<bool> ExpireAsync(string key, TimeSpan expiry, CancellationToken cancellationToken = default)
        => ToBool(ExecuteAsync("PEXPIRE", [key, (long)expiry.TotalMilliseconds], cancellationToken));

    /// <returns>The remaining time to live (PTTL), or null when the key is missing or has no expiry.</returns>
    public async Task<TimeSpan?> TtlAsync(string key, CancellationToken cancellationToken = default)
        => (long)await ExecuteAsync("PTTL", [key], cancellationToken) is var ms and >= 0 ? TimeSpan.FromMilliseconds(ms) : null;

    // Hashes

    public Task<RedisValue> HGetAsync(string key, string field, CancellationToken cancellationToken = default)
        => ExecuteAsync("HGET", [key, field], cancellationToken);

    /// <returns>How many fields were added (not updated).</returns>
    public Task<long> HSetAsync(string key, ReadOnlySpan<(string Field, RedisArg Value)> fields, CancellationToken cancellationToken = default)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(1 + 2 * fields.Length);
        args[0] = key;
        for (var i = 0; i < fields.Length; i++)
        {
            (args[1 + 2 * i], args[2 + 2 * i]) = (fields[i].Field, fields[i].Value);
        }
        return ToLong(ExecutePooled("HSET", args, 1 + 2 * fields.Length, cancellationToken));
    }

    public Task<RedisValue[]> HMGetAsync(string key, ReadOnlySpan<string> fields, CancellationToken cancellationToken = default)
        => ToItems(Execute("HMGET", key, fields, cancellationToken));

    public async Task<Dictionary<string, RedisValue>> HGetAllAsync(string key, CancellationToken cancellationToken = default)
    {
        var items = (await ExecuteAsync("HGETALL", [key], cancellationToken)).Items;
        var fields = new Dictionary<string, RedisValue>(items.Length / 2);
        for (var i = 0; i + 1 < items.Length; i += 2)
        {
            fields[items[i].ToString()!] = items[i + 1];
        }
        return fields;
    }

    public Task<long> HIncrByAsync(string key, string field, long increment = 1, CancellationToken cancellationToken = default)
        => ToLong(ExecuteAsync("HINCRBY", [key, field, increment], cancellationToken));

    public Task<long> HDelAsync(string key, ReadOnlySpan<string> fields, CancellationToken cancellationToken = default)
        => ToLong(Execute("HDEL", key, fields, cancellationToken));

    // Sorted sets

    /// <returns>How many members were added (not updated).</returns>
    public Task<long> ZAddAsync(string key, ReadOnlySpan<(RedisArg Member, double Score)> members, CancellationToken cancellationToken = default)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(1 + 2 * members.Length);
        args[0] = key;
        for (var i = 0; i < members.Length; i++)
        {
            (args[1 + 2 * i], args[2 + 2 * i]) = (members[i].Score, members[i].Member);
        }
        return ToLong(ExecutePooled("ZADD", args, 1 + 2 * members.Length, cancellationToken));
    }

    public Task<long> ZRemAsync(string key, ReadOnlySpan<RedisArg> members, CancellationToken cancellationToken = default)
        => ToLong(Execute("ZREM", key, members, cancellationToken));

    public async Task<double?> ZScoreAsync(string key, RedisArg member, CancellationToken cancellationToken = default)
        => (double?)await ExecuteAsync("ZSCORE", [key, member], cancellationToken);

    public Task<long> ZCardAsync(string key, CancellationToken cancellationToken = default) => ToLong(ExecuteAsync("ZCARD", [key], cancellationToken));

    /// <summary>ZRANGE by rank (inclusive, negative counts from the end), optionally highest score first.</summary>
    public Task<RedisValue[]> ZRangeAsync(string key, long start, long stop, bool descending = false, CancellationToken cancellationToken = default)
        => ToItems(descending ? ExecuteAsync("ZRANGE", [key, start, stop, "REV"], cancellationToken) : ExecuteAsync("ZRANGE", [key, start, stop], cancellationToken));

    /// <summary>ZREVRANGEBYSCORE. Bounds are numbers, or strings such as "(1700000000" (exclusive) and "+inf".</summary>
    public Task<RedisValue[]> ZRevRangeByScoreAsync(string key, RedisArg max, RedisArg min, long offset = 0, long? count = null, CancellationToken cancellationToken = default)
        => ToItems(ZRevRangeByScore(key, max, min, offset, count, withScores: false, cancellationToken));

    public async Task<SortedSetEntry[]> ZRevRangeByScoreWithScoresAsync(string key, RedisArg max, RedisArg min, long offset = 0, long? count = null, CancellationToken cancellationToken = default)
    {
        var items = (await ZRevRangeByScore(key, max, min, offset, count, withScores: true, cancellationToken)).Items;
        var entries = new SortedSetEntry[items.Length / 2];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new(items[2 * i], (double)items[2 * i + 1]);
        }
        return entries;
    }

    Task<RedisValue> ZRevRangeByScore(string key, RedisArg max, RedisArg min, long offset, long? count, bool withScores, CancellationToken cancellationToken)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(7);
        var length = 0;
        (args[length++], args[length++], args[length++]) = (key, max, min);
        if (withScores)
        {
            args[length++] = "WITHSCORES";
        }
        if (offset != 0 || count is not null)
        {
            (args[length++], args[length++], args[length++]) = ("LIMIT", offset, count ?? -1);
        }
        return ExecutePooled("ZREVRANGEBYSCORE", args, length, cancellationToken);
    }

    // Sets

    public Task<long> SAddAsync(string key, ReadOnlySpan<RedisArg> members, CancellationToken cancellationToken = default)
        => ToLong(Execute("SADD", key, members, cancellationToken));

    public Task<long> SRemAsync(string key, ReadOnlySpan<RedisArg> members, CancellationToken cancellationToken = default)
        => ToLong(Execute("SREM", key, members, cancellationToken));

    public Task<bool> SIsMemberAsync(string key, RedisArg member, CancellationToken cancellationToken = default)
        => ToBool(ExecuteAsync("SISMEMBER", [key, member], cancellationToken));

    public Task<bool[]> SMIsMemberAsync(string key, ReadOnlySpan<RedisArg> members, CancellationToken cancellationToken = default)
        => ToBools(Execute("SMISMEMBER", key, members, cancellationToken));

    public Task<RedisValue[]> SMembersAsync(string key, CancellationToken cancellationToken = default) => ToItems(ExecuteAsync("SMEMBERS", [key], cancellationToken));

    // Lists

    /// <returns>The length of the list afterwards.</returns>
    public Task<long> LPushAsync(string key, ReadOnlySpan<RedisArg> values, CancellationToken cancellationToken = default)
        => ToLong(Execute("LPUSH", key, values, cancellationToken));

    public Task<long> RPushAsync(string key, ReadOnlySpan<RedisArg> values, CancellationToken cancellationToken = default)
        => ToLong(Execute("RPUSH", key, values, cancellationToken));

    public Task<RedisValue[]> LRangeAsync(string key, long start, long stop, CancellationToken cancellationToken = default)
        => ToItems(ExecuteAsync("LRANGE", [key, start, stop], cancellationToken));

    public Task LTrimAsync(string key, long start, long stop, CancellationToken cancellationToken = default)
        => ExecuteAsync("LTRIM", [key, start, stop], cancellationToken);

    // Pub/sub, on a dedicated connection that resubscribes after every reconnect.

    /// <summary>SUBSCRIBE. Messages reach <paramref name="handler"/> in order, off the connection's read loop; dispose to unsubscribe.</summary>
    public Task<IAsyncDisposable> SubscribeAsync(string channel, Func<string, RedisValue, Task> handler, CancellationToken cancellationToken = default)
        => Subscriber.SubscribeAsync(channel, isPattern: false, handler, cancellationToken);

    /// <summary>PSUBSCRIBE with a glob pattern such as <c>chat:*</c>; the handler receives the actual channel.</summary>
    public Task<IAsyncDisposable> PSubscribeAsync(string pattern, Func<string, RedisValue, Task> handler, CancellationToken cancellationToken = default)
        => Subscriber.SubscribeAsync(pattern, isPattern: true, handler, cancellationToken);

    // Helpers: variable-length argument lists go through a pooled array, which is safe to return as soon as
    // ExecuteAsync returns because the command has been serialized (or copied) by then.

    Task<RedisValue> Execute(string command, ReadOnlySpan<string> keys, CancellationToken cancellationToken)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            args[i] = keys[i];
        }
        return ExecutePooled(command, args, keys.Length, cancellationToken);
    }

    Task<RedisValue> Execute(string command, string key, ReadOnlySpan<string> rest, CancellationToken cancellationToken)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(1 + rest.Length);
        args[0] = key;
        for (var i = 0; i < rest.Length; i++)
        {
            args[1 + i] = rest[i];
        }
        return ExecutePooled(command, args, 1 + rest.Length, cancellationToken);
    }

    Task<RedisValue> Execute(string command, string key, ReadOnlySpan<RedisArg> rest, CancellationToken cancellationToken)
    {
        var args = ArrayPool<RedisArg>.Shared.Rent(1 + rest.Length);
        args[0] = key;
        rest.CopyTo(args.AsSpan(1));
        return ExecutePooled(command, args, 1 + rest.Length, cancellationToken);
    }

    Task<RedisValue> ExecutePooled(string command, RedisArg[] args, int count, CancellationToken cancellationToken)
    {
        try
        {
            return ExecuteAsync(command, args.AsSpan(0, count), cancellationToken);
        }
        finally
        {
            ArrayPool<RedisArg>.Shared.Return(args, clearArray: true);
        }
    }

    static async Task<long> ToLong(Task<RedisValue> reply) => (long)await reply;

    static async Task<bool> ToBool(Task<RedisValue> reply) => (bool)await reply;

    static async Task<bool[]> ToBools(Task<RedisValue> reply) => Array.ConvertAll((await reply).Items, static v => (bool)v);

    static async Task<RedisValue[]> ToItems(Task<RedisValue> reply) => (await reply).Items;
}
