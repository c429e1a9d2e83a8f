using Douyin.ServiceDefaults.Ids;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Tests.Ids;

public sealed class SnowflakeIdGeneratorTests
{
    readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero));

    SnowflakeIdGenerator Generator(int workerId, TimeProvider? time = null) => new(Options.Create(new IdGeneratorOptions { WorkerId = workerId }), time ?? _time);

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
        var clock = new SteppingClock(_time.GetUtcNow());
        var generator = Generator(3, clock);
        var before = generator.NextId();
        clock.Now -= TimeSpan.FromSeconds(5);

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

    /// <summary>A clock that steps back, as NTP may step a host's clock; FakeTimeProvider refuses to go back in time.</summary>
    sealed class SteppingClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
