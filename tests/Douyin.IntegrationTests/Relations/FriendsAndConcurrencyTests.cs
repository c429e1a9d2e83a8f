using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Relations;

[Collection(DouyinAppCollection.Name)]
public sealed class FriendsAndConcurrencyTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;
    readonly SocialBackstage _backstage = new(fixture);

    [Fact]
    public async Task ConcurrentFollowsAndUnfollowsOfOnePairLeaveOneRelationOrNoneAndMatchingCounts()
    {
        var (aId, a) = await _web.RegisterAsync();
        var (bId, b) = await _web.RegisterAsync();

        // Many identical follows at once, both ways (which also locks the two users in opposite orders): one row each way.
        var follows = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? _web.FollowAsync(a, bId) : _web.FollowAsync(b, aId)));
        Assert.All(follows, r => Assert.Equal(0, r.StatusCode()));
        Assert.Equal((1, 1, 1, 1), await _backstage.CountersAsync(aId));
        Assert.Equal((1, 1, 1, 1), await _backstage.CountersAsync(bId));

        var unfollows = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => i % 2 == 0 ? _web.UnfollowAsync(a, bId) : _web.UnfollowAsync(b, aId)));
        Assert.All(unfollows, r => Assert.Equal(0, r.StatusCode()));
        Assert.Equal((0, 0, 0, 0), await _backstage.CountersAsync(aId));
        Assert.Equal((0, 0, 0, 0), await _backstage.CountersAsync(bId));

        // Follows and unfollows interleaved: whatever wins, the counters equal the rows they count.
        var mixed = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 4) switch
        {
            0 => _web.FollowAsync(a, bId),
            1 => _web.UnfollowAsync(a, bId),
            2 => _web.FollowAsync(b, aId),
            _ => _web.UnfollowAsync(b, aId),
        }));
        Assert.All(mixed, r => Assert.Equal(0, r.StatusCode()));
        foreach (var id in new[] { aId, bId })
        {
            var (followCount, followerCount, followRows, followerRows) = await _backstage.CountersAsync(id);
            Assert.InRange(followRows, 0, 1);
            Assert.Equal(followRows, followCount);
            Assert.Equal(followerRows, followerCount);
            // The cached card agrees with the database once the dust settles.
            var card = await _web.UserAsync(a, id);
            Assert.Equal((followCount, followerCount), (card.Long("follow_count"), card.Long("follower_count")));
        }
    }

    [Fact]
    public async Task TheFriendListHasMutualFollowsOnlyWithEveryFieldAndNoMessageYet()
    {
        var (meId, me) = await _web.RegisterAsync();
        var (mutualId, mutual) = await _web.RegisterAsync();
        var (laterMutualId, laterMutual) = await _web.RegisterAsync();
        var (onlyFollowedId, _) = await _web.RegisterAsync();
        var (_, onlyFollower) = await _web.RegisterAsync();
        await _web.FollowAsync(me, mutualId);
        await _web.FollowAsync(mutual, meId);
        await _web.FollowAsync(me, onlyFollowedId);
        await _web.FollowAsync(onlyFollower, meId);
        await _web.FollowAsync(laterMutual, meId);
        await _web.FollowAsync(me, laterMutualId);

        var reply = await _web.ApiGetAsync("/douyin/relation/friend/list/", ("user_id", meId), ("token", me));

        Assert.Equal(0, reply.StatusCode());
        Assert.Equal([laterMutualId, mutualId], reply.Ids());
        Assert.All(reply["user_list"]!.AsArray(), friend =>
        {
            var fields = friend!.AsObject().Select(p => p.Key).ToHashSet();
            Assert.Superset(new HashSet<string> { "id", "name", "follow_count", "follower_count", "is_follow", "avatar", "background_image", "signature", "total_favorited", "work_count", "favorite_count", "message", "msgType" }, fields);
            Assert.Equal(13, fields.Count);
            Assert.True(friend.Bool("is_follow"));
            Assert.Equal("", friend["message"]!.GetValue<string>());
            Assert.Equal(0, friend.Long("msgType"));
        });

        // The token is required, and the entries carry private messages: nobody lists someone else's friends.
        Assert.Equal(401, (await _web.ApiGetAsync("/douyin/relation/friend/list/", ("user_id", meId))).StatusCode());
        var someoneElses = await _web.ApiGetAsync("/douyin/relation/friend/list/", ("user_id", meId), ("token", mutual));
        Assert.Equal(403, someoneElses.StatusCode());
        Assert.Empty(someoneElses["user_list"]!.AsArray());
        Assert.Equal([meId], (await _web.ApiGetAsync("/douyin/relation/friend/list/", ("token", mutual))).Ids());
    }

    [Fact]
    public async Task TheFriendListStillAnswersWhileChatIsDown()
    {
        var (meId, me) = await _web.RegisterAsync();
        var (friendId, friend) = await _web.RegisterAsync();
        await _web.FollowAsync(me, friendId);
        await _web.FollowAsync(friend, meId);

        await _backstage.StopAsync("chat");
        try
        {
            var reply = await _web.ApiGetAsync("/douyin/relation/friend/list/", ("token", me));
            Assert.Equal(0, reply.StatusCode());
            Assert.Equal([friendId], reply.Ids());
            Assert.Equal("", reply["user_list"]![0]!["message"]!.GetValue<string>());
        }
        finally
        {
            await _backstage.StartAsync("chat");
        }
    }

    [Fact]
    public async Task TheFriendListShowsTheLatestMessageAndWhoSentIt()
    {
        var (meId, me) = await _web.RegisterAsync();
        var (friendId, friend) = await _web.RegisterAsync();
        await _web.FollowAsync(me, friendId);
        await _web.FollowAsync(friend, meId);
        await _web.ApiPostAsync("/douyin/message/action/", ("token", friend), ("to_user_id", meId), ("action_type", 1), ("content", "first"));
        await _web.ApiPostAsync("/douyin/message/action/", ("token", me), ("to_user_id", friendId), ("action_type", 1), ("content", "latest"));

        var mine = (await _web.ApiGetAsync("/douyin/relation/friend/list/", ("token", me)))["user_list"]![0]!;
        var theirs = (await _web.ApiGetAsync("/douyin/relation/friend/list/", ("token", friend)))["user_list"]![0]!;

        Assert.Equal(("latest", 1L), (mine["message"]!.GetValue<string>(), mine.Long("msgType")));
        Assert.Equal(("latest", 0L), (theirs["message"]!.GetValue<string>(), theirs.Long("msgType")));
    }
}
