using Douyin.ServiceDefaults.Data;
using Douyin.EventBus.Outbox;
using Douyin.Api.Identity;
using Douyin.EventBus.IntegrationEvents;
using Douyin.Api.Messages;

namespace Douyin.Social.Relations;

public sealed class RelationService(
    SocialDbContext db,
    UserDirectory directory,
    IIntegrationEventOutbox outbox,
    UserCards cards,
    UserCardCache cardCache,
    LatestMessagesClient messages,
    IOptions<RelationOptions> options,
    TimeProvider time,
    ILogger<RelationService> logger)
{
    /// <summary>
    /// Lists answer the newest relations only: the API has no paging, and a client cannot show more in one screen.
    /// </summary>
    public const int MaxListLength = 1000;

    /// <summary>
    /// Follows or unfollows; a repeat is a successful no-op. The relation row and both counters change in one
    /// transaction, and the row decides: the primary key lets only one of concurrent follows insert, the delete lets
    /// only one of concurrent unfollows remove, and only the one that changed the row moves the counters.
    /// </summary>
    public async Task<ApiResponse> ChangeAsync(long followerId, long followeeId, bool follow, CancellationToken cancellationToken)
    {
        if (followerId == followeeId)
        {
            return ApiResponse.Fail(ApiStatus.BadRequest, "You cannot follow or unfollow yourself.");
        }
        // Accounts are never deleted, so a check before the transaction is enough (the foreign key backs it anyway),
        // and the directory's remembered answer spares a query when the same user is followed again.
        if (await directory.FindAsync(followeeId, cancellationToken) == false)
        {
            return ApiResponse.Fail(ApiStatus.NotFound, "That user does not exist.");
        }

        var changed = false;
        await outbox.ExecuteInTransactionAsync(async ct =>
        {
            var now = time.GetUtcNow();
            changed = 1 == (follow
                ? await db.Database.ExecutePositionalAsync(
                    "INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING", ct, followerId, followeeId, now)
                : await db.Follows.Where(f => f.FollowerId == followerId && f.FolloweeId == followeeId).ExecuteDeleteAsync(ct));
            if (!changed)
            {
                return;
            }
            var delta = follow ? 1 : -1;
            await db.ApplyAsync([new(followerId, FollowCount: delta), new(followeeId, FollowerCount: delta)], ct);
            await outbox.AddAsync(new FollowChangedIntegrationEvent(followerId, followeeId, follow), ct);
        }, cancellationToken);

        if (changed)
        {
            await cardCache.InvalidateAsync([followerId, followeeId], followingOf: followerId);
        }
        return ApiResponse.Ok();
    }

    /// <summary>Whom <paramref name="userId"/> follows, newest relation first; null when the user does not exist.</summary>
    public Task<List<User>?> FollowingAsync(long userId, long? viewerId, CancellationToken cancellationToken) =>
        ListAsync(userId, viewerId, db.Follows.Where(f => f.FollowerId == userId)
            .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.FolloweeId).Select(f => f.FolloweeId), cancellationToken);

    /// <summary>Who follows <paramref name="userId"/>, newest relation first; null when the user does not exist.</summary>
    public Task<List<User>?> FollowersAsync(long userId, long? viewerId, CancellationToken cancellationToken) =>
        ListAsync(userId, viewerId, db.Follows.Where(f => f.FolloweeId == userId)
            .OrderByDescending(f => f.CreatedAt).ThenByDescending(f => f.FollowerId).Select(f => f.FollowerId), cancellationToken);

    async Task<List<User>?> ListAsync(long userId, long? viewerId, IQueryable<long> relatedIds, CancellationToken cancellationToken)
    {
        var ids = await relatedIds.Take(MaxListLength).ToListAsync(cancellationToken);
        if (ids.Count == 0 && !await db.Accounts.AnyAsync(a => a.Id == userId, cancellationToken))
        {
            return null;
        }
        return await cards.GetListAsync(ids, viewerId, cancellationToken);
    }

    /// <summary>
    /// The users who follow <paramref name="userId"/> back, newest friendship first, each with the latest message
    /// between the two from Douyin.Chat (one batched call). When Chat fails in any way the friends still come, without messages.
    /// </summary>
    public async Task<List<FriendUser>> FriendsAsync(long userId, CancellationToken cancellationToken)
    {
        var ids = await (
                from mine in db.Follows
                where mine.FollowerId == userId
                join theirs in db.Follows
                    on new { Follower = mine.FolloweeId, Followee = mine.FollowerId }
                    equals new { Follower = theirs.FollowerId, Followee = theirs.FolloweeId }
                orderby (mine.CreatedAt > theirs.CreatedAt ? mine.CreatedAt : theirs.CreatedAt) descending, mine.FolloweeId descending
                select mine.FolloweeId)
            .Take(MaxListLength)
            .ToListAsync(cancellationToken);

        var friends = await cards.GetListAsync(ids, userId, cancellationToken);
        var latest = await LatestMessagesAsync(userId, ids, cancellationToken);
        return friends.ConvertAll(friend => latest.TryGetValue(friend.Id, out var message)
            ? new FriendUser(friend) { Message = message.Content, MsgType = message.FromUserId == userId ? FriendUser.Sent : FriendUser.Received }
            : new FriendUser(friend));
    }

    async Task<IReadOnlyDictionary<long, LatestMessage>> LatestMessagesAsync(long userId, List<long> peerIds, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Value.MessagePreviewTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await messages.GetLatestAsync(userId, peerIds, linked.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Chat down, its circuit open, too slow, or not serving the endpoint: previews are optional.
            logger.LogWarning("Friend list without messages: Chat's latest messages failed: {Reason}", ex.Message);
            return new Dictionary<long, LatestMessage>();
        }
    }
}
