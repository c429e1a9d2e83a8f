namespace Douyin.Feed.Favorites;

/// <summary>Reads of the stored likes: <c>is_favorite</c> for a page of videos and a user's favorite list, one query each.</summary>
public sealed class FavoriteLookup(FeedDbContext db)
{
    public async Task<HashSet<long>> GetLikedAsync(long? viewerId, IReadOnlyCollection<long> videoIds, CancellationToken cancellationToken)
    {
        if (viewerId is not { } userId || videoIds.Count == 0)
        {
            return [];
        }
        var liked = await db.Favorites.AsNoTracking()
            .Where(f => f.UserId == userId && f.IsFavorite && videoIds.Contains(f.VideoId))
            .Select(f => f.VideoId)
            .ToListAsync(cancellationToken);
        return [.. liked];
    }

    /// <summary>The videos <paramref name="userId"/> likes, newest like first.</summary>
    public Task<List<long>> GetLikedVideoIdsAsync(long userId, CancellationToken cancellationToken) =>
        db.Favorites.AsNoTracking()
            .Where(f => f.UserId == userId && f.IsFavorite)
            .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.VideoId)
            .Select(f => f.VideoId)
            .ToListAsync(cancellationToken);
}
