using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Douyin.ServiceDefaults.Redis;
using Douyin.ServiceDefaults.Tests.Infrastructure;

namespace Douyin.ServiceDefaults.Tests.Redis;

public sealed class RedisConnectionTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    readonly RedisConnection _redis = new(server.ConnectionString);
    readonly string _prefix = $"test:{Guid.NewGuid():N}:";

    public Task InitializeAsync() => _redis.PingAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public void ParsesTheConfigurationStringAspireEmits()
    {
        var options = RedisOptions.Parse("cache.internal:6390,redis2:6379,password=p=w,user=app,ssl=true,abortConnect=false,defaultDatabase=3,connectTimeout=1500,syncTimeout=250,name=feed,unknown=1");

        Assert.Equal(("cache.internal", 6390, "p=w", "app", true, 3, "feed"), (options.Host, options.Port, options.Password, options.User, options.Ssl, options.Database, options.ClientName));
        Assert.Equal((TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(250)), (options.ConnectTimeout, options.CommandTimeout));
        Assert.Equal(("localhost", 6379, false), (RedisOptions.Parse("localhost").Host, RedisOptions.Parse("localhost").Port, RedisOptions.Parse("localhost").Ssl));
        Assert.Equal(("::1", 6380, true), (RedisOptions.Parse("rediss://[::1]:6380").Host, RedisOptions.Parse("rediss://[::1]:6380").Port, RedisOptions.Parse("rediss://[::1]").Ssl));
        Assert.Throws<ArgumentException>(() => RedisOptions.Parse("password=x"));
    }

    [Fact]
    public async Task StringAndKeyCommands()
    {
        string a = _prefix + "a", b = _prefix + "b", counter = _prefix + "n";

        Assert.True(await _redis.SetAsync(a, "héllo"));
        Assert.Equal("héllo", (string?)await _redis.GetAsync(a));
        Assert.False(await _redis.SetAsync(a, "other", when: SetCondition.NotExists));
        Assert.False(await _redis.SetAsync(b, "x", when: SetCondition.Exists));
        Assert.True(await _redis.SetAsync(b, new byte[] { 0, 255, 13, 10 }, TimeSpan.FromMinutes(1), SetCondition.NotExists));
        Assert.Equal(new byte[] { 0, 255, 13, 10 }, (byte[]?)await _redis.GetAsync(b));
        Assert.True(await _redis.TtlAsync(b) is { TotalSeconds: > 50 and <= 60 });
        Assert.Null(await _redis.TtlAsync(a));
        Assert.True(await _redis.ExpireAsync(a, TimeSpan.FromSeconds(30)));
        Assert.True(await _redis.TtlAsync(a) is { TotalSeconds: > 20 });
        Assert.True((await _redis.GetAsync(_prefix + "missing")).IsNull);

        Assert.Equal(5, await _redis.IncrByAsync(counter, 5));
        Assert.Equal(3, await _redis.IncrByAsync(counter, -2));
        Assert.Equal(3.0, (double)await _redis.GetAsync(counter));

        var values = await _redis.MGetAsync([a, _prefix + "missing", counter]);
        Assert.Equal(["héllo", null, "3"], values.Select(v => (string?)v));
        Assert.Equal(3, await _redis.ExistsAsync([a, b, counter, _prefix + "missing"]));
        Assert.Equal(2, await _redis.DelAsync([a, b, _prefix + "missing"]));
        Assert.Equal(1, await _redis.ExistsAsync([a, b, counter]));

        var echoed = await _redis.ExecuteAsync("ECHO", [1.5]);
        Assert.Equal("1.5", (string?)echoed);
    }

    [Fact]
    public async Task HashCommands()
    {
        var key = _prefix + "video:1";

        Assert.Equal(2, await _redis.HSetAsync(key, [("title", "cat"), ("likes", 10)]));
        Assert.Equal(0, await _redis.HSetAsync(key, [("title", "dog")]));
        Assert.Equal("dog", (string?)await _redis.HGetAsync(key, "title"));
        Assert.Equal(13, await _redis.HIncrByAsync(key, "likes", 3));
        Assert.Equal(["dog", null], (await _redis.HMGetAsync(key, ["title", "nope"])).Select(v => (string?)v));
        var all = await _redis.HGetAllAsync(key);
        Assert.Equal(13L, (long)all["likes"]);
        Assert.Equal(2, all.Count);
        Assert.Equal(1, await _redis.HDelAsync(key, ["title", "nope"]));
        Assert.True((await _redis.HGetAsync(key, "title")).IsNull);
    }

    [Fact]
    public async Task SortedSetCommands()
    {
        var key = _prefix + "feed";

        Assert.Equal(4, await _redis.ZAddAsync(key, [("v1", 100), ("v2", 200), ("v3", 300), (4L, 400)]));
        Assert.Equal(0, await _redis.ZAddAsync(key, [("v1", 150)]));
        Assert.Equal(150, await _redis.ZScoreAsync(key, "v1"));
        Assert.Null(await _redis.ZScoreAsync(key, "nope"));
        Assert.Equal(4, await _redis.ZCardAsync(key));

        Assert.Equal(["4", "v3", "v2", "v1"], (await _redis.ZRevRangeByScoreAsync(key, double.PositiveInfinity, double.NegativeInfinity)).Select(v => (string?)v));
        Assert.Equal(["v2", "v1"], (await _redis.ZRevRangeByScoreAsync(key, "(300", "-inf", offset: 0, count: 2)).Select(v => (string?)v));
        var page = await _redis.ZRevRangeByScoreWithScoresAsync(key, 1000, 0, offset: 1, count: 2);
        Assert.Equal([("v3", 300.0), ("v2", 200.0)], page.Select(e => ((string?)e.Member, e.Score)));

        Assert.Equal(["v1", "v2"], (await _redis.ZRangeAsync(key, 0, 1)).Select(v => (string?)v));
        Assert.Equal(["4"], (await _redis.ZRangeAsync(key, 0, 0, descending: true)).Select(v => (string?)v));
        Assert.Equal(2, await _redis.ZRemAsync(key, ["v1", 4L, "nope"]));
        Assert.Equal(2, await _redis.ZCardAsync(key));
    }

    [Fact]
    public async Task SetAndListCommands()
    {
        string set = _prefix + "followers", list = _prefix + "inbox";

        Assert.Equal(3, await _redis.SAddAsync(set, ["ann", "bob", 7L]));
        Assert.True(await _redis.SIsMemberAsync(set, "bob"));
        Assert.False(await _redis.SIsMemberAsync(set, "eve"));
        Assert.Equal(new[] { true, false, true }, await _redis.SMIsMemberAsync(set, ["ann", "eve", 7L]));
        Assert.Equal(1, await _redis.SRemAsync(set, ["bob", "eve"]));
        Assert.Equal(["7", "ann"], (await _redis.SMembersAsync(set)).Select(v => (string?)v).Order());

        Assert.Equal(2, await _redis.RPushAsync(list, ["b", "c"]));
        Assert.Equal(4, await _redis.LPushAsync(list, ["a", "z"]));
        Assert.Equal(["z", "a", "b", "c"], (await _redis.LRangeAsync(list, 0, -1)).Select(v => (string?)v));
        await _redis.LTrimAsync(list, 0, 1);
        Assert.Equal(["z", "a"], (await _redis.LRangeAsync(list, 0, -1)).Select(v => (string?)v));
    }

    [Fact]
    public async Task ScriptFallsBackToEvalWhenTheServerForgotIt()
    {
        var script = new RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) + tonumber(ARGV[2])");
        var key = _prefix + "scripted";

        await _redis.ExecuteAsync("SCRIPT", ["FLUSH"]);
        Assert.Equal(12, (long)await script.EvaluateAsync(_redis, [key], [2, 10]));
        Assert.True((bool)(await _redis.ExecuteAsync("SCRIPT", ["EXISTS", script.Sha1]))[0]);
        Assert.Equal(14, (long)await script.EvaluateAsync(_redis, [key], [2, 10]));
    }

    [Fact]
    public async Task ConcurrentCommandsEachGetTheirOwnReply()
    {
        var replies = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => i % 2 == 0
            ? _redis.ExecuteAsync("ECHO", [$"echo-{i}"])
            : _redis.ExecuteAsync("INCRBY", [_prefix + "c" + i, i])));

        for (var i = 0; i < replies.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? $"echo-{i}" : i.ToString(), (string?)replies[i]);
        }
    }

    [Fact]
    public async Task ServerErrorsSurfaceAndTheConnectionCarriesOn()
    {
        await _redis.SetAsync(_prefix + "text", "abc");

        var notInteger = await Assert.ThrowsAsync<RedisServerException>(() => _redis.IncrByAsync(_prefix + "text"));
        Assert.StartsWith("ERR value is not an integer", notInteger.Message);
        var wrongType = await Assert.ThrowsAsync<RedisServerException>(() => _redis.HGetAsync(_prefix + "text", "f"));
        Assert.StartsWith("WRONGTYPE", wrongType.Message);
        await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("NOSUCHCOMMAND", []));
        Assert.Equal("abc", (string?)await _redis.GetAsync(_prefix + "text"));
    }

    [Fact]
    public async Task ACommandThatOutlivesTheTimeoutFailsWithoutShiftingLaterReplies()
    {
        await using var redis = new RedisConnection(server.ConnectionString + ",syncTimeout=200");
        await redis.PingAsync(); // commands queued before the connection exists may be sent in any order
        // BLPOP answers nil after 1.5 s, so a timeout exception proves the 200 ms deadline fired first.
        var blocked = redis.ExecuteAsync("BLPOP", [_prefix + "empty", 1.5]);
        var echo = redis.ExecuteAsync("ECHO", ["after"]);

        await Assert.ThrowsAsync<RedisTimeoutException>(() => blocked);
        // ECHO also times out (it waits behind BLPOP), but a fresh command receives its own reply, not BLPOP's nil.
        await Assert.ThrowsAsync<RedisTimeoutException>(() => echo);
        await RedisServerFixture.EventuallyAsync(async () => Assert.Equal("fresh", (string?)await redis.ExecuteAsync("ECHO", ["fresh"])));
    }

    [Fact]
    public async Task CanceledCommandsStopWaiting()
    {
        using var cts = new CancellationTokenSource();
        var blocked = _redis.ExecuteAsync("BLPOP", [_prefix + "empty", 0.3], cts.Token);
        cts.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        Assert.Equal("ok", (string?)await _redis.ExecuteAsync("ECHO", ["ok"]));
    }

    [Fact]
    public async Task PubSubDeliversToChannelAndPatternSubscribers()
    {
        var channel = _prefix + "chat:room1";
        var direct = new TaskCompletionSource<(string, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var patterned = new TaskCompletionSource<(string, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);

        await using (await _redis.SubscribeAsync(channel, (c, m) => { direct.TrySetResult((c, (string?)m)); return Task.CompletedTask; }))
        await using (await _redis.PSubscribeAsync(_prefix + "chat:*", (c, m) => { patterned.TrySetResult((c, (string?)m)); return Task.CompletedTask; }))
        {
            Assert.Equal(2, await _redis.PublishAsync(channel, "hi"));
            Assert.Equal((channel, "hi"), await direct.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal((channel, "hi"), await patterned.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        }

        await RedisServerFixture.EventuallyAsync(async () => Assert.Equal(0, await _redis.PublishAsync(channel, "nobody listens")));
    }

    [Fact]
    public async Task CommandsEmitSpansAndMetricsWhenSomeoneListens()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == RedisTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);
        var instruments = new ConcurrentQueue<string>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == RedisTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, _, _, _) => instruments.Enqueue(instrument.Name));
        meterListener.SetMeasurementEventCallback<double>((instrument, _, _, _) => instruments.Enqueue(instrument.Name));
        meterListener.Start();

        using var request = new Activity("request").Start();
        await _redis.ExecuteAsync("ECHO", ["traced"]);
        await Assert.ThrowsAsync<RedisServerException>(() => _redis.ExecuteAsync("NOSUCHCOMMAND", []));

        Assert.Same(request, Activity.Current); // the command span never becomes the caller's current activity
        var echo = Assert.Single(spans, s => s.ParentId == request.Id && s.DisplayName == "ECHO");
        Assert.Equal((ActivityKind.Client, (object)server.Port, ActivityStatusCode.Unset), (echo.Kind, echo.GetTagItem("server.port")!, echo.Status));
        Assert.Equal(ActivityStatusCode.Error, Assert.Single(spans, s => s.ParentId == request.Id && s.DisplayName == "NOSUCHCOMMAND").Status);
        Assert.Contains("douyin.redis.commands", instruments);
        Assert.Contains("db.client.operation.duration", instruments);
        Assert.Contains("douyin.redis.errors", instruments);
    }
}
