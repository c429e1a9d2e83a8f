using System.Threading.RateLimiting;

namespace Douyin.Feed.Publishing;

/// <summary>
/// What uploads may cost this process at once: how many run, how many anonymous ones one address spools, and how many
/// bytes lie spooled on disk. Every limit refuses at once (no queue): a queued upload would only time out on the phone.
/// </summary>
public sealed class UploadLimits : IDisposable
{
    readonly ConcurrencyLimiter _uploads;
    readonly PartitionedRateLimiter<string> _anonymousPerAddress;
    readonly long _maxSpoolBytes;
    long _spooledBytes;

    public UploadLimits(IOptions<MediaOptions> options)
    {
        var o = options.Value;
        _uploads = new(new ConcurrencyLimiterOptions { PermitLimit = o.MaxConcurrentUploads, QueueLimit = 0 });
        _anonymousPerAddress = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetConcurrencyLimiter(address, _ => new ConcurrencyLimiterOptions { PermitLimit = o.MaxUnauthenticatedUploadsPerAddress, QueueLimit = 0 }));
        _maxSpoolBytes = o.MaxSpoolBytes;
    }

    /// <summary>A slot for one upload; dispose it when the upload ends. Not acquired when the process is full.</summary>
    public RateLimitLease AcquireUpload() => _uploads.AttemptAcquire();

    /// <summary>A slot for spooling a file that no valid token has vouched for yet, per client address prefix.</summary>
    public RateLimitLease AcquireAnonymousSpool(string addressPrefix) => _anonymousPerAddress.AttemptAcquire(addressPrefix);

    /// <summary>Reserves disk for <paramref name="bytes"/> more spooled bytes; false when that would pass the budget.</summary>
    public bool TryReserveSpool(long bytes)
    {
        if (Interlocked.Add(ref _spooledBytes, bytes) <= _maxSpoolBytes)
        {
            return true;
        }
        Interlocked.Add(ref _spooledBytes, -bytes);
        return false;
    }

    public void ReleaseSpool(long bytes) => Interlocked.Add(ref _spooledBytes, -bytes);

    public void Dispose()
    {
        _uploads.Dispose();
        _anonymousPerAddress.Dispose();
    }
}
