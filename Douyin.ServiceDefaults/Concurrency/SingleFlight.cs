using System.Collections.Concurrent;

namespace Douyin.ServiceDefaults.Concurrency;

/// <summary>
/// Concurrent calls for the same key share one execution. Under load, requests that need the same thing at the same
/// moment (the authors of the feed's first page) then cost one call instead of hundreds. Nothing is kept once the call
/// completes, so no caller gets an answer older than the call it joined: this is not a cache.
/// <para>
/// Shared reads go through <see cref="SharedReads"/> (HybridCache's stampede protection). This stays for the one caller
/// that must know, as it calls, whether it joined another caller's run (<c>UserCardsClient</c>: a joiner asks Social
/// for its own is_follow beside the shared call), which HybridCache does not tell.
/// </para>
/// </summary>
public class SingleFlight<TKey, TValue> where TKey : notnull
{
    // Tasks, not Lazy<Task>: a Lazy locks a monitor while its factory runs, and under load every joiner then queued on
    // that lock while the first caller sent its request.
    readonly ConcurrentDictionary<TKey, Task<TValue>> _inFlight = new();

    /// <summary>
    /// Runs <paramref name="work"/>, or joins the run already in flight for <paramref name="key"/>. The shared run is
    /// not cancelled by one caller leaving (<paramref name="cancellationToken"/> only ends this caller's wait), so
    /// <paramref name="work"/> must bound itself (an HttpClient's timeout does).
    /// </summary>
    /// <param name="joined">True when another caller's run is shared, so this caller's <paramref name="work"/> does not run.</param>
    public Task<TValue> RunAsync(TKey key, Func<Task<TValue>> work, out bool joined, CancellationToken cancellationToken)
    {
        if (_inFlight.TryGetValue(key, out var running))
        {
            joined = true;
            return running.WaitAsync(cancellationToken);
        }
        var mine = new TaskCompletionSource<TValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        var flight = _inFlight.GetOrAdd(key, mine.Task);
        joined = !ReferenceEquals(flight, mine.Task);
        if (!joined)
        {
            _ = RunThenLandAsync(key, work, mine);
        }
        return flight.WaitAsync(cancellationToken);
    }

    async Task RunThenLandAsync(TKey key, Func<Task<TValue>> work, TaskCompletionSource<TValue> flight)
    {
        // Landed before it completes, so that nobody joins a run whose answer is already out.
        try
        {
            var value = await work();
            _inFlight.TryRemove(new(key, flight.Task));
            flight.SetResult(value);
        }
        catch (OperationCanceledException ex)
        {
            _inFlight.TryRemove(new(key, flight.Task));
            flight.SetCanceled(ex.CancellationToken);
        }
        catch (Exception ex)
        {
            _inFlight.TryRemove(new(key, flight.Task));
            flight.SetException(ex);
        }
    }

    /// <summary>Runs in flight now (for tests and diagnostics).</summary>
    public int Count => _inFlight.Count;
}
