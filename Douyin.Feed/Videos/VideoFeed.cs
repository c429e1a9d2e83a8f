namespace Douyin.Feed.Videos;

/// <summary>Pages of the feed and of an author's videos, as stored records in display order.</summary>
public sealed class VideoFeed(VideoTimeline timeline, VideoCache cache, FeedDbContext db, IOptions<FeedOptions> options)
{
    /// <summary>
    /// The newest videos published strictly before <paramref name="beforeMs"/>, and the cursor of the next page: the
    /// publish time of the oldest one. A page never splits a millisecond: the next page starts strictly before its
    /// oldest video, so videos sharing that millisecond would be skipped. The page drops that trailing group instead
    /// (the next page starts with it), and only a page made of a single millisecond holds the whole group.
    /// </summary>
    public async Task<(List<Video> Videos, long? OldestMs)> GetPageAsync(long beforeMs, CancellationToken cancellationToken)
    {
        var size = options.Value.PageSize;
        var entries = await timeline.ReadBeforeAsync(beforeMs, size + 1, cancellationToken);
        if (entries.Count > size)
        {
            var boundary = entries[size].PublishedAtMs;
            entries = entries[..size];
            if (entries[^1].PublishedAtMs == boundary)
            {
                entries.RemoveAll(e => e.PublishedAtMs == boundary);
                if (entries.Count == 0)
                {
                    entries = await timeline.ReadAtAsync(boundary, cancellationToken);
                }
            }
        }

        var videos = await InOrderAsync([.. entries.Select(e => e.VideoId)], cancellationToken);
        return (videos, entries.Count > 0 ? entries[^1].PublishedAtMs : null);
    }

    /// <summary>All of an author's videos, newest first.</summary>
    public async Task<List<Video>> GetByAuthorAsync(long authorId, CancellationToken cancellationToken)
    {
        var ids = await db.Videos.AsNoTracking()
            .Where(v => v.AuthorId == authorId)
            .OrderByDescending(v => v.CreatedAt).ThenByDescending(v => v.Id)
            .Select(v => v.Id)
            .ToListAsync(cancellationToken);
        return await InOrderAsync(ids, cancellationToken);
    }

    /// <summary>The videos of <paramref name="ids"/> that exist, in that order.</summary>
    public async Task<List<Video>> InOrderAsync(List<long> ids, CancellationToken cancellationToken)
    {
        var records = await cache.GetAsync(ids, cancellationToken);
        return [.. ids.Where(records.ContainsKey).Select(id => records[id])];
    }
}
