using System.Collections.Concurrent;

namespace Douyin.ServiceDefaults.Concurrency;

/// <summary>
/// Concurrent calls for the same key share one execution. Under load, requests that need the same thing at the same
/// moment (the authors of the feed's first page) then cost one call instead of hundreds. Nothing is kept once the call
/// completes, so no caller gets an answer older than the call it joined: this is not a cache.
/// </summary>
public class SingleFlight<TKey, TValue> where TKey : notnull
{
    readonly ConcurrentDictionary<TKey, Lazy<Task<TValue>>> _inFlight = new();

    /// <summary>
    /// Runs <paramref name="work"/>, or joins the run already in flight for <paramref name="key"/>. The shared run is
    /// not cancelled by one caller leaving (<paramref name="cancellationToken"/> only ends this caller's wait), so
    /// <paramref name="work"/> must bound itself (an HttpClient's timeout does).
    /// </summary>
    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work, CancellationToken cancellationToken) =>
        RunAsync(key, work, out _, cancellationToken);

    /// <inheritdoc cref="RunAsync(TKey, Func{Task{TValue}}, CancellationToken)"/>
    /// <param name="joined">True when another caller's run is shared, so this caller's <paramref name="work"/> does not run.</param>
    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work, out bool joined, CancellationToken cancellationToken)
    {
        var mine = new Lazy<Task<TValue>>(() => RunThenLandAsync(key, work));
        var flight = _inFlight.GetOrAdd(key, mine);
        joined = !ReferenceEquals(flight, mine);
        return flight.Value.WaitAsync(cancellationToken);
    }

    async Task<TValue> RunThenLandAsync(TKey key, Func<Task<TValue>> work)
    {
        try
        {
            return await work();
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    /// <summary>Runs in flight now (for tests and diagnostics).</summary>
    public int Count => _inFlight.Count;
}
