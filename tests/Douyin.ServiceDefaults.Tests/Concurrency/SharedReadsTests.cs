using System.ComponentModel;
using Douyin.ServiceDefaults.Concurrency;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;

namespace Douyin.ServiceDefaults.Tests.Concurrency;

/// <summary>Reads shared in flight through HybridCache's stampede protection, with nothing kept in either of its levels.</summary>
public sealed class SharedReadsTests : IDisposable
{
    readonly ServiceProvider _services;
    readonly HybridCache _cache;
    readonly IDistributedCache _secondLevel;

    public SharedReadsTests()
    {
        // A second level registered, as a service with Redis behind HybridCache would have: a shared read must not use it.
        _services = new ServiceCollection().AddDistributedMemoryCache().AddHybridCache().Services.BuildServiceProvider();
        _cache = _services.GetRequiredService<HybridCache>();
        _secondLevel = _services.GetRequiredService<IDistributedCache>();
    }

    public void Dispose() => _services.Dispose();

    [ImmutableObject(true)]
    sealed record Page(int Run);

    [Fact]
    public async Task ConcurrentReadsOfOneKeyShareOneRunAndItsAnswerAndNothingIsKeptAfter()
    {
        var runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<Page> ReadAsync(int _, CancellationToken __)
        {
            var run = Interlocked.Increment(ref runs);
            await release.Task;
            return new Page(run);
        }

        var same = Enumerable.Range(0, 50).Select(_ => _cache.ShareInFlightAsync("newest", 0, ReadAsync, CancellationToken.None).AsTask()).ToArray();
        var other = _cache.ShareInFlightAsync("older", 0, ReadAsync, CancellationToken.None).AsTask();
        await Poll.UntilAsync(() => Volatile.Read(ref runs) == 2 ? "both started" : null);
        release.SetResult();

        var pages = await Task.WhenAll(same);
        Assert.All(pages, page => Assert.Same(pages[0], page));
        Assert.NotEqual(pages[0].Run, (await other).Run);
        Assert.Equal(2, runs);

        // Landed: the next read runs again rather than reusing the old answer from memory or the second level.
        Assert.Equal(3, (await _cache.ShareInFlightAsync("newest", 0, ReadAsync, CancellationToken.None)).Run);
        Assert.Null(await _secondLevel.GetAsync("newest"));
    }

    [Fact]
    public async Task ACallerThatLeavesDoesNotCancelTheOthersAndAFailureReachesEveryone()
    {
        var release = new TaskCompletionSource<Page>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var leaving = new CancellationTokenSource();
        var left = _cache.ShareInFlightAsync("k", release, static (r, _) => new ValueTask<Page>(r.Task), leaving.Token).AsTask();
        var staying = _cache.ShareInFlightAsync("k", release, static (r, _) => new ValueTask<Page>(r.Task), CancellationToken.None).AsTask();

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        release.SetResult(new Page(7));
        Assert.Equal(7, (await staying).Run);

        var failing = new TaskCompletionSource<Page>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _cache.ShareInFlightAsync("f", failing, static (f, _) => new ValueTask<Page>(f.Task), CancellationToken.None).AsTask();
        var second = _cache.ShareInFlightAsync("f", failing, static (f, _) => new ValueTask<Page>(f.Task), CancellationToken.None).AsTask();
        failing.SetException(new InvalidOperationException("redis is down"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        Assert.Equal(8, (await _cache.ShareInFlightAsync("f", 0, static (_, _) => new ValueTask<Page>(new Page(8)), CancellationToken.None)).Run);
    }
}
