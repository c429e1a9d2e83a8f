using System.Threading.Channels;

namespace Douyin.ServiceDefaults.Concurrency;

/// <summary>
/// "Does id N exist?" asked one id at a time and answered in batches: the lookups that arrive while a read runs share
/// the next one (up to <see cref="MaxBatch"/> ids), so a burst of them costs a few reads, not one each. Two readers,
/// so that one slow read (the source struggling) does not hold every lookup behind it.
/// </summary>
public abstract class ExistenceLookups : IAsyncDisposable
{
    public const int MaxBatch = 1000;

    sealed record Lookup(long Id, TaskCompletionSource<bool> Found);

    readonly Channel<Lookup> _waiting = Channel.CreateUnbounded<Lookup>();
    readonly Task[] _readers;

    protected ExistenceLookups() => _readers = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(LookUpWaitingAsync))];

    /// <summary>
    /// Which of <paramref name="ids"/> (distinct, at most <see cref="MaxBatch"/>) exist. Not a caller's token: the read
    /// serves the whole batch, so it must bound itself (a command or client timeout). A failure fails every lookup in it.
    /// </summary>
    protected abstract Task<IReadOnlySet<long>> FindAsync(long[] ids);

    public virtual Task<bool> ExistsAsync(long id, CancellationToken cancellationToken)
    {
        var lookup = new Lookup(id, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_waiting.Writer.TryWrite(lookup))
        {
            throw new ObjectDisposedException(GetType().Name);
        }
        return lookup.Found.Task.WaitAsync(cancellationToken);
    }

    async Task LookUpWaitingAsync()
    {
        var batch = new List<Lookup>();
        while (await _waiting.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _waiting.Reader.TryRead(out var lookup))
            {
                batch.Add(lookup);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                var found = await FindAsync([.. batch.Select(l => l.Id).Distinct()]);
                batch.ForEach(l => l.Found.TrySetResult(found.Contains(l.Id)));
            }
            catch (Exception ex)
            {
                batch.ForEach(l => l.Found.TrySetException(ex));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        await Task.WhenAll(_readers);
        GC.SuppressFinalize(this);
    }
}
