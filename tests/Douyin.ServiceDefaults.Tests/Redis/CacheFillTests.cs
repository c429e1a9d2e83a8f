using Douyin.ServiceDefaults.Redis;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using StackExchange.Redis;

namespace Douyin.ServiceDefaults.Tests.Redis;

/// <summary>Our write-back and invalidation scripts (<see cref="CacheFill"/>) and cached id sets, on a real redis-server.</summary>
public sealed class CacheFillTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    ConnectionMultiplexer? _connection;

    IDatabase Redis => _connection!.GetDatabase();

    public async Task InitializeAsync() => _connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString);

    public async Task DisposeAsync() => await _connection!.DisposeAsync();

    static string NewKey() => $"test:{Guid.NewGuid():N}";

    [Fact]
    public async Task AFillWritesEveryValueWithItsTimeToLiveInOneCall()
    {
        var (a, b) = (NewKey(), NewKey());

        await Redis.FillUnlessInvalidatedAsync([(a, "first", TimeSpan.FromMinutes(1)), (b, "", TimeSpan.FromSeconds(30))]);

        Assert.Equal(new string?[] { "first", "" }, (await Redis.StringGetAsync([a, b])).Select(v => (string?)v));
        Assert.InRange((await Redis.KeyTimeToLiveAsync(a))!.Value.TotalSeconds, 50, 60);
        Assert.InRange((await Redis.KeyTimeToLiveAsync(b))!.Value.TotalSeconds, 20, 30);
    }

    [Fact]
    public async Task AnInvalidatedKeyIsDroppedAndNotFilledAgainUntilItsHoldHasPassed()
    {
        var (changed, other) = (NewKey(), NewKey());
        await Redis.FillUnlessInvalidatedAsync([(changed, "old", TimeSpan.FromMinutes(1))]);

        await Redis.InvalidateAsync([changed, changed], TimeSpan.FromMilliseconds(300));
        Assert.False(await Redis.KeyExistsAsync(changed));

        // A reader that loaded the old row before the change writes it back after: skipped, while the other key is cached.
        await Redis.FillUnlessInvalidatedAsync([(changed, "old", TimeSpan.FromMinutes(1)), (other, "fresh", TimeSpan.FromMinutes(1))]);
        Assert.False(await Redis.KeyExistsAsync(changed));
        Assert.Equal("fresh", (string?)await Redis.StringGetAsync(other));

        await RedisServerFixture.EventuallyAsync(async () => Assert.False(await Redis.KeyExistsAsync(CacheFill.HoldKey(changed))));
        await Redis.FillUnlessInvalidatedAsync([(changed, "new", TimeSpan.FromMinutes(1))]);
        Assert.Equal("new", (string?)await Redis.StringGetAsync(changed));
    }

    [Fact]
    public async Task AnIdSetTellsACachedEmptySetFromAMissingOne()
    {
        var (empty, missing) = (NewKey(), NewKey());

        await Redis.FillIdSetUnlessInvalidatedAsync(empty, [], TimeSpan.FromMinutes(1));

        Assert.Empty((await Redis.GetMembersAmongAsync(empty, [1, 2]))!);
        Assert.Null(await Redis.GetMembersAmongAsync(missing, [1, 2]));
    }

    [Fact]
    public async Task AnIdSetFillReplacesTheOlderCopyAndAnswersForTheIdsAsked()
    {
        var key = NewKey();
        await Redis.FillIdSetUnlessInvalidatedAsync(key, [1, 2, 3], TimeSpan.FromMinutes(1));

        await Redis.FillIdSetUnlessInvalidatedAsync(key, [3, 4], TimeSpan.FromMinutes(1));

        Assert.Equal(new long[] { 3, 4 }, (await Redis.GetMembersAmongAsync(key, [1, 2, 3, 4, 5]))!.Order());
        Assert.InRange((await Redis.KeyTimeToLiveAsync(key))!.Value.TotalSeconds, 50, 60);
    }

    [Fact]
    public async Task AnInvalidatedIdSetIsNotFilledAgainWithinItsHold()
    {
        var key = NewKey();
        await Redis.FillIdSetUnlessInvalidatedAsync(key, [1], TimeSpan.FromMinutes(1));

        await Redis.InvalidateAsync([key], TimeSpan.FromMinutes(1));
        await Redis.FillIdSetUnlessInvalidatedAsync(key, [1], TimeSpan.FromMinutes(1));

        Assert.Null(await Redis.GetMembersAmongAsync(key, [1]));
    }
}
