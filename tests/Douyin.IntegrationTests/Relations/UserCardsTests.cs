using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;
using Douyin.EventBus.IntegrationEvents;
using Douyin.Api.Users;

namespace Douyin.IntegrationTests.Relations;

[Collection(DouyinAppCollection.Name)]
public sealed class UserCardsTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;
    readonly SocialBackstage _backstage = new(fixture);

    [Fact]
    public async Task TheInternalEndpointRendersABatchForOneViewerInOneCall()
    {
        var (viewerId, viewer) = await _web.RegisterAsync();
        var (followedId, _) = await _web.RegisterAsync();
        var (otherId, _) = await _web.RegisterAsync();
        await _web.FollowAsync(viewer, followedId);
        using var social = await fixture.CreateInternalClientAsync("social");

        using var response = await social.PostAsJsonAsync(UserCardsClient.Path, new { user_ids = new[] { followedId, otherId, followedId, 12345L }, viewer_id = viewerId });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var users = body["users"]!.AsArray();
        Assert.Equal(2, users.Count);
        Assert.Equal([followedId], body["followed_ids"]!.AsArray().Select(id => id!.GetValue<long>()));
        Assert.True(users.Single(u => u!.Long("id") == followedId)!.Bool("is_follow"));
        Assert.False(users.Single(u => u!.Long("id") == otherId)!.Bool("is_follow"));
        Assert.Equal(1, users.Single(u => u!.Long("id") == followedId)!.Long("follower_count"));

        using var tooMany = await social.PostAsJsonAsync(UserCardsClient.Path, new { user_ids = Enumerable.Range(1, 1001).ToArray() });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal("application/problem+json", tooMany.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ViewersWhoseReadsShareOneCardCallEachSeeTheirOwnIsFollow()
    {
        var (authorId, _) = await _web.RegisterAsync();
        await new FeedWritesBackstage(fixture).SeedVideoAsync(authorId);
        var (_, fan) = await _web.RegisterAsync();
        var (_, stranger) = await _web.RegisterAsync();
        await _web.FollowAsync(fan, authorId);

        // Reads of the same author at once share Feed's card call to Social, made for whichever viewer came first.
        var reads = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var token = i % 2 == 0 ? fan : stranger;
            var list = await _web.PublishListAsync(authorId, token);
            return (Fan: token == fan, IsFollow: list[0]!["author"]!.Bool("is_follow"));
        }));

        Assert.All(reads, read => Assert.Equal(read.Fan, read.IsFollow));
    }

    [Fact]
    public async Task TheInternalFollowedEndpointSaysWhichOfManyUsersTheViewerFollows()
    {
        var (viewerId, viewer) = await _web.RegisterAsync();
        var (followedId, _) = await _web.RegisterAsync();
        var (otherId, _) = await _web.RegisterAsync();
        await _web.FollowAsync(viewer, followedId);
        using var social = await fixture.CreateInternalClientAsync("social");

        async Task<long[]> FollowedAsync()
        {
            using var response = await social.PostAsJsonAsync(UserCardsClient.FollowedPath, new { viewer_id = viewerId, user_ids = new[] { followedId, otherId, followedId, 12345L } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["user_ids"]!.AsArray().Select(id => id!.GetValue<long>())];
        }

        Assert.Equal([followedId], await FollowedAsync()); // from PostgreSQL, then cached
        Assert.Equal([followedId], await FollowedAsync()); // from the cached set
        await _web.UnfollowAsync(viewer, followedId);
        Assert.Empty(await FollowedAsync());

        foreach (var bad in new object[] { new { viewer_id = 0, user_ids = new[] { followedId } }, new { viewer_id = viewerId, user_ids = Enumerable.Range(1, 1001).ToArray() } })
        {
            using var refused = await social.PostAsJsonAsync(UserCardsClient.FollowedPath, bad);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task CardsAreCachedInRedisAndDroppedWhenACounterOrRelationChanges()
    {
        var (aliceId, alice) = await _web.RegisterAsync();
        var (bobId, _) = await _web.RegisterAsync();
        await using var connection = await fixture.ConnectToRedisAsync();
        var redis = connection.GetDatabase();
        var key = $"social:card:v1:{bobId}";

        await _web.UserAsync(alice, bobId);
        Assert.Contains("\"follower_count\":0", (string?)await redis.StringGetAsync(key));

        // Whom alice follows is cached too (is_follow), and a follow or unfollow drops it with the cards.
        var following = $"social:following:v1:{aliceId}";
        Assert.Equal(new[] { true, false }, await redis.SetContainsAsync(following, [0L, bobId]));

        await _web.FollowAsync(alice, bobId);
        Assert.Equal(0, await redis.KeyExistsAsync([key, following]));
        var bobSeenByAlice = await _web.UserAsync(alice, bobId);
        Assert.Equal(1, bobSeenByAlice.Long("follower_count"));
        Assert.True(bobSeenByAlice.Bool("is_follow"));

        // Within the invalidation hold nothing is cached again (a reader from before the change cannot put back the
        // old set), so wait for it to pass before looking.
        await Eventually.HoldsAsync(async () => { await _web.UserAsync(alice, bobId); return await redis.SetContainsAsync(following, [0L, bobId]); },
            members => members.SequenceEqual([true, true]), "alice's following set cached with bob in it");
        await _web.UnfollowAsync(alice, bobId);
        Assert.False(await redis.KeyExistsAsync(following));
        Assert.False((await _web.UserAsync(alice, bobId)).Bool("is_follow"));
        await _web.FollowAsync(alice, bobId);

        // Feed's events invalidate too: the next read shows the new count at once, not after the TTL.
        await using var feed = await FeedStandIn.CreateAsync(fixture);
        await feed.PublishAsync(new VideoPublishedIntegrationEvent(VideoId: Random.Shared.NextInt64(), AuthorId: bobId));
        await Eventually.HoldsAsync(() => _web.UserAsync(alice, bobId), u => u.Long("work_count") == 1, "bob's work_count to show 1");
        Assert.Equal(1, (await _web.UserAsync(alice, aliceId)).Long("follow_count"));
    }

    [Fact]
    public async Task UsersAreStillRenderedFromPostgresWhileRedisIsDown()
    {
        var (aliceId, alice) = await _web.RegisterAsync();
        var (bobId, bob) = await _web.RegisterAsync();
        await _web.FollowAsync(bob, aliceId);

        await _backstage.StopAsync("cache");
        try
        {
            Assert.Equal(1, (await _web.UserAsync(alice, aliceId)).Long("follower_count"));
            var followers = await _web.ApiGetAsync("/douyin/relation/follower/list/", ("user_id", aliceId), ("token", alice));
            Assert.Equal([bobId], followers.Ids());
            Assert.Equal(0, (await _web.FollowAsync(alice, bobId)).StatusCode());
            Assert.True((await _web.UserAsync(bob, aliceId)).Bool("is_follow"));
            Assert.Equal(1, (await _web.UserAsync(bob, bobId)).Long("follower_count"));
        }
        finally
        {
            await _backstage.StartAsync("cache");
        }
    }
}
