using StackExchange.Redis;
using StackExchange.Redis.Configuration;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// How our Redis connections behave where the connection string says nothing (it can still set <c>connectTimeout=</c>,
/// <c>syncTimeout=</c>, <c>abortConnect=</c>...). Redis only speeds things up here, PostgreSQL is the source of truth:
/// so a service starts while Redis is down, and while it stays down every command fails at once and its caller reads
/// PostgreSQL instead of waiting (docs/reliability.md, the fault drill's <c>cache</c> row).
/// </summary>
public sealed class RedisDefaults : DefaultOptionsProvider
{
    /// <summary>Start, and keep reconnecting in the background, while Redis is down.</summary>
    public override bool AbortOnConnectFail => false;

    /// <summary>Also how long the first use waits for a Redis that is down (Aspire connects synchronously).</summary>
    public override TimeSpan? ConnectTimeout => TimeSpan.FromSeconds(2);

    /// <summary>The timeout of every command, async ones included (a hung server, not a stopped one).</summary>
    public override TimeSpan SyncTimeout => TimeSpan.FromSeconds(3);
}

public static class RedisDefaultsExtensions
{
    /// <summary>
    /// Our <see cref="RedisDefaults"/> under whatever the connection string set, and two settings no connection string
    /// makes (nor does <c>ConfigurationOptions</c> ask a defaults provider for them): <see cref="BacklogPolicy.FailFast"/>,
    /// so that with no connection a command fails now rather than queue for a reconnect that may be far off; and
    /// reconnects a quarter of a second apart at first, at most a second later on (most drops are blips).
    /// </summary>
    public static ConfigurationOptions UseDouyinDefaults(this ConfigurationOptions options)
    {
        options.Defaults = new RedisDefaults();
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new ExponentialRetry(250, 1000);
        return options;
    }

    /// <summary>
    /// Redis is down, unreachable, too slow (<see cref="RedisTimeoutException"/> is a <see cref="TimeoutException"/>, not a
    /// <see cref="RedisException"/>) or refused the command: callers treat the cache as a miss and go on without it.
    /// </summary>
    public static bool IsRedisFailure(this Exception exception) => exception is RedisException or RedisTimeoutException;
}
