using System.Diagnostics;
using Aspire.Hosting.Testing;
using Douyin.Feed.Writes;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;
using Douyin.IntegrationTests.Videos;

namespace Douyin.IntegrationTests.Favorites;

[Collection(DouyinAppCollection.Name)]
public sealed class FavoritesTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;
    readonly FeedWritesBackstage _feed = new(fixture);
    readonly SocialBackstage _social = new(fixture);

    [Fact]
    public async Task ALikeShowsInListsAndCountsAndRepeatsAreNoOps()
    {
        var (authorId, author) = await _web.RegisterAsync();
        var (likerId, liker) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);

        Assert.Equal(0, (await _web.LikeAsync(liker, videoId)).StatusCode());
        var liked = await Eventually.HoldsAsync(() => _web.FavoriteListAsync(likerId, liker),
            list => list.Count == 1 && list[0]!.Long("favorite_count") == 1, "the like in the list and its count");
        Assert.Equal(videoId, liked[0]!.Long("id"));
        Assert.True(liked[0]!.Bool("is_favorite"));
        Assert.Equal(1, liked[0]!.Long("favorite_count"));
        Assert.Equal(authorId, liked[0]!["author"]!.Long("id"));
        // Relative to the caller: the author has not liked it, an anonymous caller neither.
        Assert.False((await _web.FavoriteListAsync(likerId, author))[0]!.Bool("is_favorite"));
        Assert.False((await _web.FavoriteListAsync(likerId))[0]!.Bool("is_favorite"));

        Assert.Equal(0, (await _web.LikeAsync(liker, videoId)).StatusCode()); // a repeat succeeds and changes nothing
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, authorId), u => u.Long("total_favorited") == 1, "the author's total_favorited");
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, likerId), u => u.Long("favorite_count") == 1, "the liker's favorite_count");
        await Eventually.HoldsAsync(() => _feed.WriteQueueAsync(), q => q.Ready == 0, "the write queue to drain");
        Assert.Equal((1, 1, 0, 0), await _feed.CountersAsync(videoId));

        Assert.Equal(0, (await _web.UnlikeAsync(liker, videoId)).StatusCode());
        Assert.Equal(0, (await _web.UnlikeAsync(liker, videoId)).StatusCode());
        await Eventually.HoldsAsync(() => _web.FavoriteListAsync(likerId, liker), list => list.Count == 0, "the unlike");
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, authorId), u => u.Long("total_favorited") == 0, "the author's total_favorited");
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, likerId), u => u.Long("favorite_count") == 0, "the liker's favorite_count");
        Assert.Equal((0, 0, 0, 0), await _feed.CountersAsync(videoId));
    }

    [Fact]
    public async Task IsFavoriteComesFromACachedLikedSetThatAnAppliedLikeDropsAndPostgresAnswersWithoutRedis()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var (viewerId, viewer) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        await using var connection = await fixture.ConnectToRedisAsync();
        var redis = connection.GetDatabase();
        var key = $"feed:liked:v1:{viewerId}";

        // Read once: the viewer's liked set (empty but for its sentinel) is cached.
        Assert.False((await _web.PublishListAsync(authorId, viewer))[0]!.Bool("is_favorite"));
        Assert.Equal(new[] { true, false }, await redis.SetContainsAsync(key, [0L, videoId]));

        // Applying the like drops the set, so the next read sees the like at once, not after the set's TTL.
        Assert.Equal(0, (await _web.LikeAsync(viewer, videoId)).StatusCode());
        await Eventually.HoldsAsync(() => _web.PublishListAsync(authorId, viewer), list => list[0]!.Bool("is_favorite"), "is_favorite after the like");
        // Cached again once the invalidation hold has passed, now with the like in it.
        await Eventually.HoldsAsync(async () => { await _web.PublishListAsync(authorId, viewer); return await redis.SetContainsAsync(key, [0L, videoId]); },
            members => members.SequenceEqual([true, true]), "the liked set cached with the video in it");

        await _social.StopAsync("cache");
        try
        {
            Assert.True((await _web.PublishListAsync(authorId, viewer))[0]!.Bool("is_favorite"));
            Assert.Equal(0, (await _web.UnlikeAsync(viewer, videoId)).StatusCode());
            await Eventually.HoldsAsync(() => _web.PublishListAsync(authorId, viewer), list => !list[0]!.Bool("is_favorite"), "is_favorite false after the unlike, from PostgreSQL");
        }
        finally
        {
            await _social.StartAsync("cache");
        }
    }

    [Fact]
    public async Task UnknownVideosActionTypesAndMissingTokensAreRefused()
    {
        var (authorId, token) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);

        Assert.NotEqual(0, (await _web.LikeAsync(token, 12345)).StatusCode());
        Assert.NotEqual(0, (await _web.LikeAsync(token, videoId, actionType: 3)).StatusCode());
        Assert.NotEqual(0, (await _web.ApiPostAsync("/douyin/favorite/action/", ("token", token), ("video_id", videoId))).StatusCode());
        Assert.NotEqual(0, (await _web.ApiPostAsync("/douyin/favorite/action/", ("video_id", videoId), ("action_type", 1))).StatusCode());
        Assert.NotEqual(0, (await _web.ApiGetAsync("/douyin/favorite/list/")).StatusCode());
    }

    [Fact]
    public async Task ManyUsersLikingAndUnlikingAtOnceEndWithCountsEqualToTheRows()
    {
        var (authorId, author) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        var users = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => _web.RegisterAsync()));

        // Each user's actions in order (so the last one is known), all users at once.
        var finals = await Task.WhenAll(users.Select(async user =>
        {
            var actions = Enumerable.Range(0, 6).Select(_ => Random.Shared.Next(1, 3)).ToArray();
            foreach (var action in actions)
            {
                Assert.Equal(0, (await _web.LikeAsync(user.Token, videoId, action)).StatusCode());
            }
            return (user.UserId, user.Token, Likes: actions[^1] == 1);
        }));
        var expected = finals.Count(f => f.Likes);

        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c.Favorites == expected && c.LikeRows == expected, $"{expected} likes");
        await Eventually.HoldsAsync(() => _web.UserAsync(author, authorId), u => u.Long("total_favorited") == expected, "the author's total_favorited");
        foreach (var (userId, token, likes) in finals)
        {
            await Eventually.HoldsAsync(() => _web.UserAsync(token, userId), u => u.Long("favorite_count") == (likes ? 1 : 0), "a liker's favorite_count");
            Assert.Equal(likes, (await _web.FavoriteListAsync(userId)).Count == 1);
        }
        var shown = (await _web.FavoriteListAsync(finals.First(f => f.Likes).UserId))[0]!;
        Assert.Equal(expected, shown.Long("favorite_count"));
    }

    [Fact]
    public async Task TheLastActionWinsWhateverTheDeliveryOrderAndRedeliveriesChangeNothing()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var (aliceId, _) = await _web.RegisterAsync();
        var (bobId, _) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        long[] seq = [.. Enumerable.Range(0, 4).Select(_ => FeedWritesBackstage.NextSequence())];

        // Alice liked then unliked, Bob unliked then liked; the broker delivers them newest first, then all again.
        FeedWrite[] writes =
        [
            new FavoriteWrite(seq[1], aliceId, videoId, IsFavorite: false),
            new FavoriteWrite(seq[0], aliceId, videoId, IsFavorite: true),
            new FavoriteWrite(seq[3], bobId, videoId, IsFavorite: true),
            new FavoriteWrite(seq[2], bobId, videoId, IsFavorite: false),
        ];
        await _feed.EnqueueAsync(writes);
        await _feed.EnqueueAsync(writes);

        await Eventually.HoldsAsync(() => _feed.WriteQueueAsync(), q => q.Ready == 0, "the write queue to drain");
        // Not the counters alone: Alice's older like applied before anything else also reads (1, 1, 0, 0), and an empty
        // queue may still have messages in its consumers' hands (with two replicas, more of them).
        async Task<bool> LikedAsync(long userId) =>
            await _feed.FeedScalarAsync("SELECT count(*) FROM favorites WHERE user_id = $1 AND video_id = $2 AND is_favorite", userId, videoId) == 1;
        await Eventually.HoldsAsync(async () => (await _feed.CountersAsync(videoId), await LikedAsync(aliceId), await LikedAsync(bobId)),
            state => state == ((1, 1, 0, 0), false, true), "Bob's like only");
        Assert.Empty(await _web.FavoriteListAsync(aliceId));
        Assert.Single(await _web.FavoriteListAsync(bobId));
        // Social hears of every real change, so the announced counter changes add up to the final state: Alice's (if her
        // older like was applied first, then undone) cancel out, Bob's leave one like given and one received by the author.
        Assert.Equal(0, await _feed.AnnouncedFavoriteCountsAsync(aliceId));
        Assert.Equal(1, await _feed.AnnouncedFavoriteCountsAsync(bobId));
        Assert.Equal(1, await _feed.AnnouncedFavoriteCountsAsync(authorId, received: true));
    }

    [Fact]
    public async Task StoppingFeedWhileWritesAreQueuedLosesNothingAndDoublesNothing()
    {
        var (authorId, author) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        const int likes = 4000;
        // Likes of many (unregistered) users, each written twice as a redelivery would be.
        var writes = FeedWritesBackstage.LikesOfManyUsers(videoId, likes);
        var (firstHalf, secondHalf) = (writes[..(likes / 2)], writes[(likes / 2)..]);

        await _feed.EnqueueAsync([.. firstHalf, .. firstHalf]);
        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c.Favorites == likes / 2, "the first half applied", seconds: 60);
        // The consumer takes the second half into a batch that waits on the video's row lock, mid-transaction, when
        // Feed is stopped: its uncommitted work and every unacknowledged message must come back.
        await using (await _feed.LockVideoAsync(videoId))
        {
            await _feed.EnqueueAsync([.. secondHalf, .. secondHalf]);
            await _social.StopAsync("feed");
        }
        try
        {
            // Whatever committed is complete: every counted like has its row, every row its count.
            Assert.Equal((likes / 2, likes / 2, 0, 0), await _feed.CountersAsync(videoId));
            Assert.True((await _feed.WriteQueueAsync()).Ready >= likes, "the second half is back in the queue");
        }
        finally
        {
            await _social.StartAsync("feed");
        }

        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c.Favorites == likes && c.LikeRows == likes, $"all {likes} likes", seconds: 120);
        await Eventually.HoldsAsync(() => _feed.WriteQueueAsync(), q => q.Ready == 0, "the write queue to drain");
        Assert.Equal((likes, likes, 0, 0), await _feed.CountersAsync(videoId));
        Assert.Equal(likes, await _feed.AnnouncedFavoriteCountsAsync(authorId, received: true));
        // Social applied each announcement once (which also leaves its queue drained for the tests after this one).
        await Eventually.HoldsAsync(() => _web.UserAsync(author, authorId), u => u.Long("total_favorited") == likes, "the author's total_favorited", seconds: 180);
    }

    [Fact]
    public async Task ConcurrentWritesAreGroupCommittedIntoFewMessagesAndAllApplied()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        const int likes = 500;
        var writes = FeedWritesBackstage.LikesOfManyUsers(videoId, likes);

        // With Feed stopped the messages stay in the queue, to be counted.
        await _social.StopAsync("feed");
        try
        {
            await using var queue = await _feed.CreateWriteQueueAsync();
            await Task.WhenAll(writes.Select(w => queue.EnqueueAsync(w, CancellationToken.None)));
            var messages = (await _feed.WriteQueueAsync()).Ready;
            Assert.InRange(messages, 1u, likes / 2u);
        }
        finally
        {
            await _social.StartAsync("feed");
        }

        // Every write of every message, once.
        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c == (likes, likes, 0, 0), $"all {likes} likes", seconds: 60);
    }

    [Fact]
    public async Task PoisonMessagesAreDeadLetteredWithoutBlockingTheQueue()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var (likerId, _) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        await _feed.DrainDeadLettersAsync();

        var poison = new[] { ("poison-json", "not json at all"u8.ToArray()), ("poison-kind", """{"kind":"nope","sequence":1}"""u8.ToArray()),
            ("poison-invalid", """{"kind":"favorite","sequence":0,"userId":-1,"videoId":1,"isFavorite":true}"""u8.ToArray()) };
        await _feed.EnqueueRawAsync(poison);
        await _feed.EnqueueAsync(new FavoriteWrite(FeedWritesBackstage.NextSequence(), likerId, videoId, IsFavorite: true));

        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c == (1, 1, 0, 0), "the good write behind the poison");
        var dead = new List<string?>();
        await Eventually.HoldsAsync(async () => { dead.AddRange(await _feed.DrainDeadLettersAsync()); return dead; },
            d => poison.All(p => d.Contains(p.Item1)), "the poison in feed.writes.dead");
    }

    [Fact]
    public async Task WithTheBrokerDownALikeIsRefusedAtOnceAndWorksAgainAfterwards()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var (likerId, liker) = await _web.RegisterAsync();
        var videoId = await _feed.SeedVideoAsync(authorId);
        Assert.Equal(0, (await _web.LikeAsync(liker, videoId)).StatusCode()); // Feed has a publisher channel open

        await _social.StopAsync("messaging");
        try
        {
            var stopwatch = Stopwatch.StartNew();
            var refused = await _web.UnlikeAsync(liker, videoId);
            Assert.NotEqual(0, refused.StatusCode());
            Assert.Contains("broker", refused.StatusMsg());
            Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5)); // FeedWrites:PublishTimeout is 2 s
        }
        finally
        {
            await _social.StartAsync("messaging");
        }

        // The connection recovers on its own; until then answers stay refusals, never a false success.
        await Eventually.HoldsAsync(() => _web.UnlikeAsync(liker, videoId), r => r.StatusCode() == 0, "an accepted unlike", seconds: 60);
        await Eventually.HoldsAsync(() => _feed.CountersAsync(videoId), c => c == (0, 0, 0, 0), "the unlike applied", seconds: 60);
        Assert.Empty(await _web.FavoriteListAsync(likerId));
    }
}
