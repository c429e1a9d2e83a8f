using Douyin.ServiceDefaults.Ids;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Tests.Ids;

public sealed class SnowflakeIdGeneratorTests
{
    readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    SnowflakeIdGenerator Generator(int workerId) => new(Options.Create(new IdGeneratorOptions { WorkerId = workerId }), _time);

    [Fact]
    public void IdsAreUniqueAndIncreasingAcrossThreads()
    {
        var generator = Generator(5);
        var ids = new long[8][];
        Parallel.For(0, 8, t => ids[t] = Enumerable.Range(0, 20_000).Select(_ => generator.NextId()).ToArray());

        Assert.Equal(160_000, ids.SelectMany(i => i).Distinct().Count());
        Assert.All(ids, perThread => Assert.True(perThread.SequenceEqual(perThread.Order())));
    }

    [Fact]
    public void TwoWorkersNeverCollideInTheSameMillisecond()
    {
        var a = Enumerable.Range(0, 5000).Select(_ => Generator(1).NextId());
        var b = Enumerable.Range(0, 5000).Select(_ => Generator(2).NextId());

        Assert.Empty(a.Intersect(b));
    }

    [Fact]
    public void AClockStepBackDoesNotRepeatIds()
    {
        var generator = Generator(3);
        var before = generator.NextId();
        _time.Advance(TimeSpan.FromSeconds(-5));

        Assert.True(generator.NextId() > before);
    }

    [Fact]
    public void TheTimestampIsRecoverable()
    {
        var id = Generator(7).NextId();
        Assert.Equal(_time.GetUtcNow(), SnowflakeIdGenerator.GetTimestamp(id));
    }

    [Fact]
    public void AGeneratorWithoutAWorkerRefusesToGuess() =>
        Assert.Throws<InvalidOperationException>(() => new SnowflakeIdGenerator(Options.Create(new IdGeneratorOptions()), _time).NextId());
}
