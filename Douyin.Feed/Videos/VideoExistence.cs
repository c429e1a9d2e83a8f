using Douyin.ServiceDefaults.Concurrency;
using Microsoft.Extensions.Caching.Memory;

namespace Douyin.Feed.Videos;

/// <summary>
/// Whether videos exist, for the like and comment endpoints, which ask on every write. Videos are never deleted, so a
/// yes is remembered in this process (a popular video would otherwise cost a query per like, since each applied batch
/// of likes drops its Redis record); a no is not, so a video published a moment later is found. Ids not known yet are
/// looked up together (<see cref="ExistenceLookups"/>), so a burst of first likes of many videos costs a few
/// primary-key queries, not one each.
/// </summary>
public sealed class VideoExistence(IServiceScopeFactory scopes, IMemoryCache known, IOptions<FeedOptions> options) : ExistenceLookups
{
    readonly FeedOptions _options = options.Value;

    public override Task<bool> ExistsAsync(long videoId, CancellationToken cancellationToken) =>
        known.TryGetValue(Key(videoId), out _) ? Task.FromResult(true) : base.ExistsAsync(videoId, cancellationToken);

    static (Type, long) Key(long videoId) => (typeof(VideoExistence), videoId);

    protected override async Task<IReadOnlySet<long>> FindAsync(long[] ids)
    {
        // PostgreSQL down: every waiting endpoint fails as its own query would have.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FeedDbContext>();
        // Not a caller's token: the query serves every caller in the batch (the command timeout bounds it).
        var found = (await db.Videos.Where(v => ids.Contains(v.Id)).Select(v => v.Id).ToListAsync()).ToHashSet();
        foreach (var id in found)
        {
            known.Set(Key(id), true, _options.VideoTtl); // the expiry only bounds the memory of ids no longer asked about
        }
        return found;
    }
}
