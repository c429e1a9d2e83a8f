using Microsoft.Extensions.Caching.Hybrid;

namespace Douyin.ServiceDefaults.Concurrency;

/// <summary>
/// Reads that concurrent callers share: HybridCache's stampede protection with both of its levels off. Requests that
/// need the same thing at the same moment (every viewer of the feed's newest page) then cost one read instead of
/// hundreds, and nothing is kept once it completes, so no caller gets an answer older than the read it joined. What we
/// cache lives in our own Redis keys, filled and invalidated through <see cref="Redis.CacheFill"/>.
/// </summary>
public static class SharedReads
{
    static readonly HybridCacheEntryOptions s_inFlightOnly = new()
    {
        Flags = HybridCacheEntryFlags.DisableLocalCache | HybridCacheEntryFlags.DisableDistributedCache,
    };

    /// <summary>
    /// Runs <paramref name="read"/>, or joins the run in flight for <paramref name="key"/>. One caller leaving ends only
    /// its own wait; the read's token is cancelled once every caller has left. Make <typeparamref name="T"/> sealed and
    /// <c>[ImmutableObject(true)]</c>, so that callers share the instance rather than each getting a deserialized copy.
    /// </summary>
    public static ValueTask<T> ShareInFlightAsync<TState, T>(
        this HybridCache cache, string key, TState state, Func<TState, CancellationToken, ValueTask<T>> read, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(key, state, read, s_inFlightOnly, cancellationToken: cancellationToken);
}
