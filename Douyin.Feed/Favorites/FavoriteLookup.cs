namespace Douyin.Feed.Favorites;

/// <summary>Which of some videos a viewer liked: the stored likes decide <c>is_favorite</c>, one query per response.</summary>
public sealed class FavoriteLookup(FeedDbContext db)
{
    public async Task<HashSet<long>> GetLikedAsync(long? viewerId, IReadOnlyCollection<long> videoIds, CancellationToken cancellationToken)
    {
        if (viewerId is not { } userId || videoIds.Count == 0)
        {
            return [];
        }
        var liked = await db.Favorites.AsNoTracking()
            .Where(f => f.UserId == userId && videoIds.Contains(f.VideoId))
            .Select(f => f.VideoId)
            .ToListAsync(cancellationToken);
        return [.. liked];
    }
}
