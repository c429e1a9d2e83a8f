using Douyin.ServiceDefaults.Concurrency;

namespace Douyin.ServiceDefaults.Tests.Concurrency;

public sealed class SingleFlightTests
{
    readonly SingleFlight<string, int> _flights = new();

    [Fact]
    public async Task ConcurrentCallsForOneKeyShareOneRunAndOtherKeysRunApart()
    {
        var runs = 0;
        var release = new TaskCompletionSource();
        async Task<int> Work()
        {
            Interlocked.Increment(ref runs);
            await release.Task;
            return 42;
        }

        var same = Enumerable.Range(0, 50).Select(i => _flights.RunAsync("authors 1,2,3", Work, out _, CancellationToken.None)).ToArray();
        var other = _flights.RunAsync("authors 4", Work, out _, CancellationToken.None);
        Assert.Equal(2, _flights.Count);
        release.SetResult();

        Assert.All(await Task.WhenAll(same), value => Assert.Equal(42, value));
        Assert.Equal(42, await other);
        Assert.Equal(2, runs);
        Assert.Equal(0, _flights.Count);

        // Landed: the next call runs again rather than reusing an old answer.
        Assert.Equal(42, await _flights.RunAsync("authors 1,2,3", Work, out _, CancellationToken.None));
        Assert.Equal(3, runs);
    }

    [Fact]
    public async Task ACallerCanTellWhetherItJoinedAnotherCallersRun()
    {
        var release = new TaskCompletionSource<int>();
        var started = _flights.RunAsync("authors 5", () => release.Task, out var joinedFirst, CancellationToken.None);
        var shared = _flights.RunAsync("authors 5", () => throw new InvalidOperationException("a joiner's work never runs"), out var joinedSecond, CancellationToken.None);

        Assert.False(joinedFirst);
        Assert.True(joinedSecond);
        release.SetResult(42);
        Assert.Equal(42, await started);
        Assert.Equal(42, await shared);
    }

    [Fact]
    public async Task ACallerThatLeavesDoesNotCancelTheOthersAndAFailureReachesEveryone()
    {
        var release = new TaskCompletionSource<int>();
        using var leaving = new CancellationTokenSource();
        var left = _flights.RunAsync("k", () => release.Task, out _, leaving.Token);
        var staying = _flights.RunAsync("k", () => release.Task, out _, CancellationToken.None);

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => left);
        release.SetResult(7);
        Assert.Equal(7, await staying);

        var failing = new TaskCompletionSource<int>();
        var first = _flights.RunAsync("f", () => failing.Task, out _, CancellationToken.None);
        var second = _flights.RunAsync("f", () => failing.Task, out _, CancellationToken.None);
        failing.SetException(new HttpRequestException("social is down"));
        await Assert.ThrowsAsync<HttpRequestException>(() => first);
        await Assert.ThrowsAsync<HttpRequestException>(() => second);
        Assert.Equal(0, _flights.Count);
    }
}
