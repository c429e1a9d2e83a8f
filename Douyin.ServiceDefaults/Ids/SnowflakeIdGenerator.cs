using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Ids;

public sealed class IdGeneratorOptions
{
    /// <summary>0 to 1023, unique among the running replicas of a service. Null: one is leased at start-up.</summary>
    public int? WorkerId { get; set; }
}

/// <summary>
/// The one id generator: 64-bit, time-ordered, snowflake layout (41 bits of milliseconds since 2024-01-01,
/// 10 bits of worker, 12 bits of sequence), so replicas never collide and ids sort by creation time.
/// </summary>
public sealed class SnowflakeIdGenerator
{
    const int WorkerBits = 10;
    const int SequenceBits = 12;
    const long MaxSequence = (1L << SequenceBits) - 1;
    public const int MaxWorkerId = (1 << WorkerBits) - 1;
    static readonly long s_epoch = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    readonly TimeProvider _time;
    readonly Lock _lock = new();
    long _lastTimestamp = -1;
    long _sequence;
    int _workerId = -1;

    public SnowflakeIdGenerator(IOptions<IdGeneratorOptions> options, TimeProvider time)
    {
        _time = time;
        if (options.Value.WorkerId is { } workerId)
        {
            SetWorkerId(workerId);
        }
    }

    public int WorkerId => _workerId;

    /// <summary>Set once, before the first id (from configuration or a lease).</summary>
    public void SetWorkerId(int workerId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workerId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workerId, MaxWorkerId);
        _workerId = workerId;
    }

    public long NextId()
    {
        if (_workerId < 0)
        {
            throw new InvalidOperationException("The id generator has no worker id yet: set Ids:WorkerId or let the lease run at start-up.");
        }

        lock (_lock)
        {
            var timestamp = Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds() - s_epoch, _lastTimestamp); // a clock step back reuses the last millisecond
            if (timestamp == _lastTimestamp)
            {
                _sequence = (_sequence + 1) & MaxSequence;
                if (_sequence == 0)
                {
                    timestamp++; // 4,096 ids in one millisecond: borrow the next one rather than spin
                }
            }
            else
            {
                _sequence = 0;
            }
            _lastTimestamp = timestamp;
            return (timestamp << (WorkerBits + SequenceBits)) | ((long)_workerId << SequenceBits) | _sequence;
        }
    }

    /// <summary>The creation time encoded in an id.</summary>
    public static DateTimeOffset GetTimestamp(long id) =>
        DateTimeOffset.FromUnixTimeMilliseconds((id >> (WorkerBits + SequenceBits)) + s_epoch);
}
