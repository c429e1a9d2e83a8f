namespace Douyin.Social.Accounts;

/// <summary>Renders accounts as the API's User object, relative to a viewer.</summary>
public sealed class UserCards(SocialDbContext db, IOptions<AccountOptions> options)
{
    readonly AccountOptions _options = options.Value;

    public async Task<User?> GetAsync(long userId, long? viewerId, CancellationToken cancellationToken) =>
        (await GetManyAsync([userId], viewerId, cancellationToken)).GetValueOrDefault(userId);

    /// <summary>Cards of the users that exist among <paramref name="userIds"/>, in one query.</summary>
    public async Task<Dictionary<long, User>> GetManyAsync(IReadOnlyCollection<long> userIds, long? viewerId, CancellationToken cancellationToken)
    {
        var accounts = await db.Accounts.AsNoTracking().Where(a => userIds.Contains(a.Id)).ToListAsync(cancellationToken);
        return accounts.ToDictionary(a => a.Id, a => Render(a, isFollow: false));
    }

    /// <summary>Image fields stay paths here; the service answering the client makes them absolute (<see cref="PublicUrls"/>).</summary>
    User Render(Account account, bool isFollow) => new()
    {
        Id = account.Id,
        Name = account.Name,
        FollowCount = account.FollowCount,
        FollowerCount = account.FollowerCount,
        IsFollow = isFollow,
        Avatar = account.Avatar ?? _options.DefaultAvatar,
        BackgroundImage = account.BackgroundImage ?? _options.DefaultBackgroundImage,
        Signature = account.Signature ?? _options.DefaultSignature,
        TotalFavorited = account.TotalFavorited,
        WorkCount = account.WorkCount,
        FavoriteCount = account.FavoriteCount,
    };
}
