namespace Douyin.Feed.Favorites;

/// <summary>
/// Reads of the stored likes: <c>is_favorite</c> for a page of videos and a user's favorite list. Which videos a viewer
/// likes is cached as a <see cref="CachedIdSet"/> under <c>feed:liked:v1:{id}</c>, so is_favorite on a page is one
/// SMISMEMBER rather than a query on every request; <see cref="FeedWrites.FeedWriteApplier"/> invalidates a user's set
/// after committing their likes. Redis is an optimisation only: without it PostgreSQL answers.
/// </summary>
public sealed class FavoriteLookup(FeedDbContext db, IConnectionMultiplexer redis, IOptions<FeedOptions> options, ILogger<FavoriteLookup> logger)
{
    readonly IDatabase _redis = redis.GetDatabase();
    readonly FeedOptions _options = options.Value;

    public static string LikedKey(long userId) => $"feed:liked:v1:{userId}";

    /// <summary>Which of <paramref name="videoIds"/> the viewer likes; none for an anonymous viewer.</summary>
    public async Task<HashSet<long>> GetLikedAsync(long? viewerId, IReadOnlyList<long> videoIds, CancellationToken cancellationToken)
    {
        if (viewerId is not { } userId || videoIds.Count == 0)
        {
            return [];
        }
        try
        {
            if (await _redis.GetMembersAmongAsync(LikedKey(userId), videoIds) is { } cached)
            {
                return cached;
            }
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("Liked-videos cache unavailable, reading PostgreSQL: {Reason}", ex.Message);
            return await QueryLikedAsync(userId, videoIds, cancellationToken);
        }

        // Not cached: load the whole set (a partial one would answer wrongly), unless it is too large to ship whole.
        var liked = await db.Favorites.AsNoTracking()
            .Where(f => f.UserId == userId && f.IsFavorite)
            .Select(f => f.VideoId)
            .Take(_options.MaxCachedLikes + 1)
            .ToListAsync(cancellationToken);
        if (liked.Count > _options.MaxCachedLikes)
        {
            return await QueryLikedAsync(userId, videoIds, cancellationToken);
        }
        try
        {
            await _redis.FillIdSetUnlessInvalidatedAsync(LikedKey(userId), liked, _options.LikedSetTtl);
        }
        catch (Exception ex) when (ex.IsRedisFailure())
        {
            logger.LogWarning("Liked-videos cache not filled: {Reason}", ex.Message);
        }
        return [.. liked.Intersect(videoIds)];
    }

    /// <summary>Drops the cached sets of users whose likes changed; call it after the commit.</summary>
    public Task InvalidateLikedAsync(IEnumerable<long> userIds) => _redis.InvalidateAsync(userIds.Select(LikedKey), _options.InvalidationHold);

    async Task<HashSet<long>> QueryLikedAsync(long userId, IReadOnlyList<long> videoIds, CancellationToken cancellationToken) =>
        [.. await db.Favorites.AsNoTracking()
            .Where(f => f.UserId == userId && f.IsFavorite && videoIds.Contains(f.VideoId))
            .Select(f => f.VideoId)
            .ToListAsync(cancellationToken)];

    /// <summary>The videos <paramref name="userId"/> likes, newest like first.</summary>
    public Task<List<long>> GetLikedVideoIdsAsync(long userId, CancellationToken cancellationToken) =>
        db.Favorites.AsNoTracking()
            .Where(f => f.UserId == userId && f.IsFavorite)
            .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.VideoId)
            .Select(f => f.VideoId)
            .ToListAsync(cancellationToken);
}
