using Douyin.IntegrationTests.Infrastructure;
using Douyin.EventBus.IntegrationEvents;

namespace Douyin.IntegrationTests.Relations;

[Collection(DouyinAppCollection.Name)]
public sealed class FeedCountersTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;
    readonly SocialBackstage _backstage = new(fixture);

    [Fact]
    public async Task UserInfoShowsFollowersLikesAndWorksFedByFeedsEventsAndARedeliveryChangesNothing()
    {
        var (authorId, author) = await _web.RegisterAsync();
        var (likerId, liker) = await _web.RegisterAsync();
        await _web.FollowAsync(liker, authorId);
        await Eventually.HoldsAsync(_backstage.SocialQueueAsync, q => q.Consumers > 0, "Social's consumer");

        await using var feed = await FeedStandIn.CreateAsync(fixture);
        // Feed's side, as Feed publishes it: two videos, two likes of them, and one like taken back.
        var firstVideo = new VideoPublishedIntegrationEvent(VideoId: Random.Shared.NextInt64(), AuthorId: authorId);
        var firstLike = new FavoriteCountsChangedIntegrationEvent([new(likerId, FavoriteCount: 1, TotalFavorited: 0), new(authorId, FavoriteCount: 0, TotalFavorited: 1)]);
        await feed.PublishAsync(firstVideo);
        await feed.PublishAsync(new VideoPublishedIntegrationEvent(VideoId: Random.Shared.NextInt64(), AuthorId: authorId));
        await feed.PublishAsync(firstLike);
        // The author liking their own video, as an older Feed announced a like (one event per like): still counted.
        await feed.PublishAsync(new VideoFavoriteChangedIntegrationEvent(authorId, firstVideo.VideoId, authorId, IsFavorite: true));
        // A like and its unlike applied in two batches; the second names the author twice, as parts of one change add up.
        await feed.PublishAsync(new FavoriteCountsChangedIntegrationEvent([new(likerId, 1, 0), new(authorId, 0, 1)]));
        await feed.PublishAsync(new FavoriteCountsChangedIntegrationEvent([new(likerId, -1, 0), new(authorId, 0, -2), new(authorId, 0, 1)]));

        var expectedAuthor = (Works: 2L, Followers: 1L, TotalFavorited: 2L, Favorites: 1L);
        var expectedLiker = (Follows: 1L, Favorites: 1L);
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, authorId),
            u => (u.Long("work_count"), u.Long("follower_count"), u.Long("total_favorited"), u.Long("favorite_count")) == expectedAuthor,
            "the author's counts");
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, likerId),
            u => (u.Long("follow_count"), u.Long("favorite_count")) == expectedLiker, "the liker's counts");

        // Redeliveries of events already applied (same ids), then one more new video.
        await feed.PublishAsync(firstVideo);
        await feed.PublishAsync(firstLike);
        await feed.PublishAsync(firstVideo);
        await feed.PublishAsync(new VideoPublishedIntegrationEvent(VideoId: Random.Shared.NextInt64(), AuthorId: authorId));
        await Eventually.HoldsAsync(() => _web.UserAsync(liker, authorId), u => u.Long("work_count") == 3, "the third video");

        // Stopping Social returns whatever it had not acknowledged to the queue: an empty queue then proves every
        // redelivery was handled, and the counters, read from the database, prove they changed nothing. With several
        // replicas competing for the queue, the third video says nothing about the others' messages: while a stop hands
        // messages back, let Social drain them and stop it again.
        await _backstage.StopAsync("social");
        while ((await _backstage.SocialQueueAsync()).Ready > 0)
        {
            await _backstage.StartAsync("social");
            await Eventually.HoldsAsync(_backstage.SocialQueueAsync, q => q.Ready == 0 && q.Consumers > 0, "Social draining its queue");
            await _backstage.StopAsync("social");
        }
        try
        {
            Assert.Equal(3, await _backstage.ScalarAsync("SELECT work_count FROM users WHERE id = $1", authorId));
            Assert.Equal(2, await _backstage.ScalarAsync("SELECT total_favorited FROM users WHERE id = $1", authorId));
            Assert.Equal(1, await _backstage.ScalarAsync("SELECT favorite_count FROM users WHERE id = $1", likerId));
        }
        finally
        {
            await _backstage.StartAsync("social");
        }
        var shown = await _web.UserAsync(author, authorId);
        Assert.Equal((3, 1, 2, 1), (shown.Long("work_count"), shown.Long("follower_count"), shown.Long("total_favorited"), shown.Long("favorite_count")));
    }

    [Fact]
    public async Task AFollowIsAnnouncedThroughTheOutbox()
    {
        var (aliceId, alice) = await _web.RegisterAsync();
        var (bobId, _) = await _web.RegisterAsync();

        await _web.FollowAsync(alice, bobId);
        await _web.FollowAsync(alice, bobId); // a repeat changes nothing, so it announces nothing

        const string published = """
            SELECT count(*) FROM integration_event_log
            WHERE event_type_name = 'FollowChangedIntegrationEvent' AND state = 2
              AND (content->>'followerId')::bigint = $1 AND (content->>'followeeId')::bigint = $2 AND (content->>'isFollowing')::boolean
            """;
        await Eventually.HoldsAsync(() => _backstage.ScalarAsync(published, aliceId, bobId), n => n == 1, "the published FollowChanged event");
    }
}
