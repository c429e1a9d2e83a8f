namespace Douyin.Social.Accounts;

/// <summary>Renders accounts as the API's User object, relative to a viewer.</summary>
public sealed class UserCards(SocialDbContext db, UserCardCache cache, IOptions<AccountOptions> options)
{
    readonly AccountOptions _options = options.Value;

    public async Task<User?> GetAsync(long userId, long? viewerId, CancellationToken cancellationToken) =>
        (await GetManyAsync([userId], viewerId, cancellationToken)).GetValueOrDefault(userId);

    /// <summary>
    /// Cards of the users that exist among <paramref name="userIds"/>: one MGET and, for a viewer, one SMISMEMBER of
    /// whom they follow (sent together, so one round trip to Redis); PostgreSQL answers only what Redis does not hold.
    /// </summary>
    public async Task<Dictionary<long, User>> GetManyAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
    {
        long[] ids = [.. userIds.Distinct()];
        // Only the Redis read runs beside the card read: the DbContext takes one query at a time.
        var cachedFollowed = viewerId is { } viewer && ids.Length > 0 ? cache.GetFollowedAsync(viewer, ids) : null;
        var cards = await cache.GetAsync(ids);

        var missing = ids.Where(id => !cards.ContainsKey(id)).ToArray();
        if (missing.Length > 0)
        {
            var loaded = (await db.Accounts.AsNoTracking().Where(a => missing.Contains(a.Id)).ToListAsync(cancellationToken))
                .ConvertAll(Render);
            await cache.SetAsync(loaded);
            loaded.ForEach(card => cards[card.Id] = card);
        }

        if (cachedFollowed is not null)
        {
            var followed = await cachedFollowed ?? await LoadFollowedAsync(viewerId!.Value, ids, cancellationToken);
            foreach (var id in followed.Where(cards.ContainsKey))
            {
                cards[id] = cards[id] with { IsFollow = true };
            }
        }
        return cards;
    }

    /// <summary>Which of <paramref name="userIds"/> the viewer follows: the cached set, else PostgreSQL.</summary>
    public async Task<HashSet<long>> GetFollowedAsync(long viewerId, IReadOnlyList<long> userIds, CancellationToken cancellationToken) =>
        userIds.Count == 0 ? [] : await cache.GetFollowedAsync(viewerId, userIds) ?? await LoadFollowedAsync(viewerId, userIds, cancellationToken);

    /// <summary>
    /// Loads whom the viewer follows and caches it, then answers for <paramref name="shown"/>. A viewer who follows more
    /// than the cache takes is asked about <paramref name="shown"/> alone, by primary key.
    /// </summary>
    async Task<HashSet<long>> LoadFollowedAsync(long viewerId, IReadOnlyList<long> shown, CancellationToken cancellationToken)
    {
        var following = await db.Follows.Where(f => f.FollowerId == viewerId).Select(f => f.FolloweeId)
            .Take(cache.MaxCachedFollowing + 1).ToListAsync(cancellationToken);
        if (following.Count <= cache.MaxCachedFollowing)
        {
            await cache.SetFollowingAsync(viewerId, following);
            return [.. following.Intersect(shown)];
        }
        return [.. await db.Follows.Where(f => f.FollowerId == viewerId && shown.Contains(f.FolloweeId)).Select(f => f.FolloweeId).ToListAsync(cancellationToken)];
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
