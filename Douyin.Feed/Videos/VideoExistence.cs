using System.Threading.Channels;
using Microsoft.Extensions.Caching.Memory;

namespace Douyin.Feed.Videos;

/// <summary>
/// Whether videos exist, for the like and comment endpoints, which ask on every write. Videos are never deleted, so a
/// yes is remembered in this process (a popular video would otherwise cost a query per like, since each applied batch
/// of likes drops its Redis record); a no is not, so a video published a moment later is found. Ids not known yet are
/// looked up together: the lookups that arrive while a query runs share the next one, so a burst of first likes of
/// many videos costs a few primary-key queries, not one each.
/// </summary>
public sealed class VideoExistence : IAsyncDisposable
{
    const int MaxIdsPerQuery = 1000;

    sealed record Lookup(long Id, TaskCompletionSource<bool> Found);

    readonly IServiceScopeFactory _scopes;
    readonly IMemoryCache _known;
    readonly FeedOptions _options;
    readonly Channel<Lookup> _waiting = Channel.CreateUnbounded<Lookup>();
    readonly Task[] _lookups;

    public VideoExistence(IServiceScopeFactory scopes, IMemoryCache known, IOptions<FeedOptions> options)
    {
        _scopes = scopes;
        _known = known;
        _options = options.Value;
        _lookups = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(LookUpWaitingAsync))];
    }

    public Task<bool> ExistsAsync(long videoId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(Key(videoId), out _))
        {
            return Task.FromResult(true);
        }
        var lookup = new Lookup(videoId, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_waiting.Writer.TryWrite(lookup))
        {
            throw new ObjectDisposedException(nameof(VideoExistence));
        }
        return lookup.Found.Task.WaitAsync(cancellationToken);
    }

    static (Type, long) Key(long videoId) => (typeof(VideoExistence), videoId);

    async Task LookUpWaitingAsync()
    {
        var batch = new List<Lookup>();
        while (await _waiting.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxIdsPerQuery && _waiting.Reader.TryRead(out var lookup))
            {
                batch.Add(lookup);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                long[] ids = [.. batch.Select(l => l.Id).Distinct()];
                await using var scope = _scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<FeedDbContext>();
                // Not a caller's token: the query serves every caller in the batch (the command timeout bounds it).
                var found = (await db.Videos.Where(v => ids.Contains(v.Id)).Select(v => v.Id).ToListAsync()).ToHashSet();
                foreach (var id in found)
                {
                    _known.Set(Key(id), true, _options.VideoTtl); // the expiry only bounds the memory of ids no longer asked about
                }
                batch.ForEach(l => l.Found.TrySetResult(found.Contains(l.Id)));
            }
            catch (Exception ex)
            {
                // PostgreSQL down: every waiting endpoint fails as its own query would have.
                batch.ForEach(l => l.Found.TrySetException(ex));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _waiting.Writer.TryComplete();
        await Task.WhenAll(_lookups);
    }
}
