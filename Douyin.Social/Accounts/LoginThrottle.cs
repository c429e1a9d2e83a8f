using System.Globalization;
using System.Net;
using Douyin.ServiceDefaults.Redis;
using StackExchange.Redis;

namespace Douyin.Social.Accounts;

/// <summary>Limits on wrong passwords (section <c>Login</c>), kept in Redis so every Social replica counts together.</summary>
public sealed class LoginThrottleOptions
{
    public const string SectionName = "Login";

    /// <summary>Wrong passwords one account may get within <see cref="Window"/>; the next attempts are refused until its lockout ends.</summary>
    public int MaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Failures are counted over this window; it is also the first lockout, which doubles with each further lockout.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The longest lockout the doubling reaches.</summary>
    public TimeSpan MaxLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Wrong passwords (for any names) from one address prefix (IPv4 /32, IPv6 /64) within <see cref="Window"/>, so one
    /// address cannot spray many accounts. Higher than the per-account limit: a carrier NAT puts many people behind one address.
    /// </summary>
    public int MaxFailuresPerPrefix { get; set; } = 100;
}

/// <summary>
/// Wrong passwords counted per account and per client address prefix in Redis (with expiries, on Redis's clock, so
/// replicas agree, and atomic scripts, so concurrent attempts cannot overshoot). Names are counted whether or not an account has them, so a lockout never tells that a name exists.
/// Redis is not the system of record here: when it fails the login goes ahead unthrottled (logged), rather than
/// locking everyone out.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, IOptions<LoginThrottleOptions> options, ILogger<LoginThrottle> logger)
{
    // Each attempt is counted as a failure before its password is checked, and taken back if it was right: so
    // concurrent guesses cannot all pass the check while none has failed yet.
    // KEYS: account failures, account lock, prefix failures. ARGV: window ms, max per account, max per prefix.
    // Returns the wait in ms before this attempt may be made, 0 when it is admitted.
    const string BeginScript = """
        local wait = redis.call('PTTL', KEYS[2])
        if wait > 0 then return wait end
        if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[3]) then
          return math.max(redis.call('PTTL', KEYS[3]), 1)
        end
        local failures = redis.call('INCR', KEYS[1])
        if failures == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        if failures > tonumber(ARGV[2]) then
          redis.call('DECR', KEYS[1])
          return math.max(redis.call('PTTL', KEYS[1]), 1)
        end
        if redis.call('INCR', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[1]) end
        return 0
        """;

    // A wrong password. KEYS: account failures, lockout level, lock. ARGV: window ms, max per account, max lockout ms.
    // At the limit the account is locked for window * 2^(level-1), capped, and counting starts afresh; the level is
    // remembered for twice the longest lockout, so a guesser who waits out each lockout meets longer ones.
    const string FailScript = """
        local failures = tonumber(redis.call('GET', KEYS[1]) or '0')
        if failures < tonumber(ARGV[2]) or redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
        local level = redis.call('INCR', KEYS[2])
        local cap = tonumber(ARGV[3])
        redis.call('PEXPIRE', KEYS[2], cap * 2)
        local lockout = math.floor(math.min(tonumber(ARGV[1]) * math.pow(2, math.min(level - 1, 30)), cap))
        redis.call('SET', KEYS[3], '1', 'PX', lockout)
        redis.call('DEL', KEYS[1])
        return lockout
        """;

    // The right password. KEYS: account failures, lockout level, prefix failures: the account starts afresh, and the
    // attempt no longer counts against its address (a DECR on an expired key would create one without expiry).
    const string SucceedScript = """
        redis.call('DEL', KEYS[1], KEYS[2])
        if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then redis.call('DECR', KEYS[3]) end
        return 0
        """;

    readonly IDatabase _redis = redis.GetDatabase();
    readonly LoginThrottleOptions _options = options.Value;

    /// <summary>Admits an attempt on this name from this address, or says how long to wait before one may be made.</summary>
    public async Task<TimeSpan?> BeginAsync(string normalizedName, IPAddress? client)
    {
        try
        {
            var wait = (long)await _redis.ScriptEvaluateAsync(BeginScript,
                [FailuresKey(normalizedName), LockKey(normalizedName), PrefixKey(client)],
                [WindowMilliseconds, _options.MaxFailuresPerAccount, _options.MaxFailuresPerPrefix]);
            return wait > 0 ? TimeSpan.FromMilliseconds(wait) : null;
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("Login throttle unavailable, admitting the attempt unchecked: {Reason}", ex.Message);
            return null;
        }
    }

    /// <summary>Ends an admitted attempt whose password was wrong (it stays counted; at the limit the account is locked).</summary>
    public Task RecordFailureAsync(string normalizedName) =>
        RunAsync(async () =>
        {
            var lockout = (long)await _redis.ScriptEvaluateAsync(FailScript,
                [FailuresKey(normalizedName), LevelKey(normalizedName), LockKey(normalizedName)],
                [WindowMilliseconds, _options.MaxFailuresPerAccount, (long)_options.MaxLockout.TotalMilliseconds]);
            if (lockout > 0)
            {
                logger.LogInformation("Login locked for {Lockout} after {Failures} wrong passwords", TimeSpan.FromMilliseconds(lockout), _options.MaxFailuresPerAccount);
            }
        });

    /// <summary>Ends an admitted attempt whose password was right.</summary>
    public Task RecordSuccessAsync(string normalizedName, IPAddress? client) =>
        RunAsync(() => _redis.ScriptEvaluateAsync(SucceedScript, [FailuresKey(normalizedName), LevelKey(normalizedName), PrefixKey(client)]));

    long WindowMilliseconds => (long)_options.Window.TotalMilliseconds;

    async Task RunAsync(Func<Task> update)
    {
        try
        {
            await update();
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("Login throttle not updated: {Reason}", ex.Message);
        }
    }

    // Names are at most 32 characters; the normalised form is the account's identity, so "Alice" and "alice" share a count.
    static string FailuresKey(string name) => $"social:login:v1:failures:{name}";

    static string LevelKey(string name) => $"social:login:v1:level:{name}";

    static string LockKey(string name) => $"social:login:v1:lock:{name}";

    static string PrefixKey(IPAddress? client) => $"social:login:v1:prefix:{ClientAddress.Prefix(client)}";

    public static string RetryAfterSeconds(TimeSpan wait) => ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
