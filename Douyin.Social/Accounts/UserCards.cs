namespace Douyin.Social.Accounts;

/// <summary>Renders accounts as the API's User object, relative to a viewer.</summary>
public sealed class UserCards(SocialDbContext db, UserCardCache cache, IOptions<AccountOptions> options)
{
    readonly AccountOptions _options = options.Value;

    public async Task<User?> GetAsync(long userId, long? viewerId, CancellationToken cancellationToken) =>
        (await GetManyAsync([userId], viewerId, cancellationToken)).GetValueOrDefault(userId);

    /// <summary>
    /// Cards of the users that exist among <paramref name="userIds"/>: one MGET, then one query for the cache misses,
    /// then one query for the viewer's is_follow (a primary-key lookup, so it is not cached: no per-viewer invalidation).
    /// </summary>
    public async Task<Dictionary<long, User>> GetManyAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
    {
        long[] ids = [.. userIds.Distinct()];
        var cards = await cache.GetAsync(ids, cancellationToken);

        var missing = ids.Where(id => !cards.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
        {
            var loaded = (await db.Accounts.AsNoTracking().Where(a => missing.Contains(a.Id)).ToListAsync(cancellationToken))
                .ConvertAll(Render);
            await cache.SetAsync(loaded, cancellationToken);
            loaded.ForEach(card => cards[card.Id] = card);
        }

        if (viewerId is { } viewer && cards.Count > 0)
        {
            var shown = cards.Keys.ToArray();
            var followed = await db.Follows
                .Where(f => f.FollowerId == viewer && shown.Contains(f.FolloweeId))
                .Select(f => f.FolloweeId)
                .ToListAsync(cancellationToken);
            followed.ForEach(id => cards[id] = cards[id] with { IsFollow = true });
        }
        return cards;
    }

    /// <summary>The same cards, in the order of <paramref name="userIds"/>, skipping users that do not exist.</summary>
    public async Task<List<User>> GetListAsync(IReadOnlyList<long> userIds, long? viewerId, CancellationToken cancellationToken)
    {
        var cards = await GetManyAsync(userIds, viewerId, cancellationToken);
        return [.. userIds.Where(cards.ContainsKey).Select(id => cards[id])];
    }

    /// <summary>The viewer-independent card. Image fields stay paths; the service answering the client makes them absolute (<see cref="PublicUrls"/>).</summary>
    User Render(Account account) => new()
    {
        Id = account.Id,
        Name = account.Name,
        FollowCount = account.FollowCount,
        FollowerCount = account.FollowerCount,
        IsFollow = false,
        Avatar = account.Avatar ?? _options.DefaultAvatar,
        BackgroundImage = account.BackgroundImage ?? _options.DefaultBackgroundImage,
        Signature = account.Signature ?? _options.DefaultSignature,
        TotalFavorited = account.TotalFavorited,
        WorkCount = account.WorkCount,
        FavoriteCount = account.FavoriteCount,
    };
}
