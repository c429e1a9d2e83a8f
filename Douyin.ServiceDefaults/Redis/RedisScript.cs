using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>A Lua script run by EVALSHA, falling back to EVAL (which also caches it) when the server answers NOSCRIPT.</summary>
public sealed class RedisScript(string source)
{
    public string Source { get; } = source;

    public string Sha1 { get; } = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));

    public Task<RedisValue> EvaluateAsync(RedisConnection redis, ReadOnlySpan<string> keys = default, ReadOnlySpan<RedisArg> args = default, CancellationToken cancellationToken = default)
    {
        var count = 2 + keys.Length + args.Length;
        var buffer = ArrayPool<RedisArg>.Shared.Rent(count);
        (buffer[0], buffer[1]) = (Sha1, keys.Length);
        for (var i = 0; i < keys.Length; i++)
        {
            buffer[2 + i] = keys[i];
        }
        args.CopyTo(buffer.AsSpan(2 + keys.Length));
        return EvaluateAsync(redis, buffer, count, cancellationToken);
    }

    async Task<RedisValue> EvaluateAsync(RedisConnection redis, RedisArg[] buffer, int count, CancellationToken cancellationToken)
    {
        try
        {
            return await redis.ExecuteAsync("EVALSHA", buffer.AsSpan(0, count), cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            buffer[0] = Source;
            return await redis.ExecuteAsync("EVAL", buffer.AsSpan(0, count), cancellationToken);
        }
        finally
        {
            ArrayPool<RedisArg>.Shared.Return(buffer, clearArray: true);
        }
    }
}
