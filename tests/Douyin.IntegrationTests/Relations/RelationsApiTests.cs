using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Relations;

[Collection(DouyinAppCollection.Name)]
public sealed class RelationsApiTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;
    readonly SocialBackstage _backstage = new(fixture);

    static readonly string[] s_userFields =
        ["id", "name", "follow_count", "follower_count", "is_follow", "avatar", "background_image", "signature", "total_favorited", "work_count", "favorite_count"];

    [Fact]
    public async Task FollowAndUnfollowMoveBothCountersAndRepeatsAreNoOps()
    {
        var (aliceId, alice) = await _web.RegisterAsync();
        var (bobId, bob) = await _web.RegisterAsync();

        Assert.Equal(0, (await _web.FollowAsync(alice, bobId)).StatusCode());
        Assert.Equal(0, (await _web.FollowAsync(alice, bobId)).StatusCode());

        var bobSeenByAlice = await _web.UserAsync(alice, bobId);
        Assert.Equal(1, bobSeenByAlice.Long("follower_count"));
        Assert.True(bobSeenByAlice.Bool("is_follow"));
        Assert.Equal(1, (await _web.UserAsync(alice, aliceId)).Long("follow_count"));
        Assert.False((await _web.UserAsync(bob, aliceId)).Bool("is_follow"));

        Assert.Equal(0, (await _web.UnfollowAsync(alice, bobId)).StatusCode());
        Assert.Equal(0, (await _web.UnfollowAsync(alice, bobId)).StatusCode());

        bobSeenByAlice = await _web.UserAsync(alice, bobId);
        Assert.Equal(0, bobSeenByAlice.Long("follower_count"));
        Assert.False(bobSeenByAlice.Bool("is_follow"));
        Assert.Equal(0, (await _web.UserAsync(alice, aliceId)).Long("follow_count"));
        Assert.Equal((0, 0, 0, 0), await _backstage.CountersAsync(aliceId));
    }

    [Fact]
    public async Task FollowingYourselfAnUnknownUserOrWithABadActionIsRefusedWithAReason()
    {
        var (aliceId, alice) = await _web.RegisterAsync();
        var (bobId, _) = await _web.RegisterAsync();

        var self = await _web.FollowAsync(alice, aliceId);
        Assert.Equal(400, self.StatusCode());
        Assert.Contains("yourself", self.StatusMsg());

        var unknown = await _web.FollowAsync(alice, 12345);
        Assert.Equal(404, unknown.StatusCode());
        Assert.Contains("does not exist", unknown.StatusMsg());

        foreach (var actionType in new[] { 0, 3, -1 })
        {
            var bad = await _web.FollowAsync(alice, bobId, actionType);
            Assert.Equal(400, bad.StatusCode());
            Assert.Contains("action_type must be 1 (follow) or 2 (unfollow)", bad.StatusMsg());
        }

        var noTarget = await _web.ApiPostAsync("/douyin/relation/action/", ("token", alice), ("action_type", 1));
        Assert.Equal(400, noTarget.StatusCode());
        Assert.Contains("to_user_id", noTarget.StatusMsg());

        Assert.Equal(401, (await _web.ApiPostAsync("/douyin/relation/action/", ("to_user_id", bobId), ("action_type", 1))).StatusCode());
        Assert.Equal((0, 0, 0, 0), await _backstage.CountersAsync(aliceId));
    }

    [Fact]
    public async Task ListsAreNewestFirstWithFullCardsAndIsFollowRelativeToTheCaller()
    {
        var (xId, x) = await _web.RegisterAsync();
        var (aId, a) = await _web.RegisterAsync();
        var (bId, _) = await _web.RegisterAsync();
        var (cId, _) = await _web.RegisterAsync();
        var (viewerId, viewer) = await _web.RegisterAsync();
        foreach (var target in new[] { aId, bId, cId })
        {
            Assert.Equal(0, (await _web.FollowAsync(x, target)).StatusCode());
        }
        Assert.Equal(0, (await _web.FollowAsync(a, xId)).StatusCode());
        Assert.Equal(0, (await _web.FollowAsync(viewer, bId)).StatusCode());

        // Anonymous: the token is optional and is_follow is false throughout.
        var anonymous = await _web.ApiGetAsync("/douyin/relation/follow/list/", ("user_id", xId));
        Assert.Equal(0, anonymous.StatusCode());
        Assert.Equal([cId, bId, aId], anonymous.Ids());
        Assert.All(anonymous["user_list"]!.AsArray(), u =>
        {
            Assert.Equal(s_userFields.Order(), u!.AsObject().Select(p => p.Key).Order());
            Assert.False(u.Bool("is_follow"));
            Assert.StartsWith("http", u["avatar"]!.GetValue<string>());
        });
        Assert.Equal([1L, 2L, 1L], anonymous["user_list"]!.AsArray().Select(u => u!.Long("follower_count")));

        // A viewer who follows only b sees is_follow on b alone; the owner sees it on everyone.
        var seenByViewer = await _web.ApiGetAsync("/douyin/relation/follow/list/", ("user_id", xId), ("token", viewer));
        Assert.Equal([false, true, false], seenByViewer["user_list"]!.AsArray().Select(u => u!.Bool("is_follow")));
        var own = await _web.ApiGetAsync("/douyin/relation/follow/list/", ("token", x));
        Assert.Equal([cId, bId, aId], own.Ids());
        Assert.All(own["user_list"]!.AsArray(), u => Assert.True(u!.Bool("is_follow")));

        // Followers: newest first; x sees that it follows a back, and a bad token reads as anonymous.
        var followersOfB = await _web.ApiGetAsync("/douyin/relation/follower/list/", ("user_id", bId), ("token", x + "bad"));
        Assert.Equal(0, followersOfB.StatusCode());
        Assert.Equal(2, followersOfB.Ids().Length);
        Assert.Equal(xId, followersOfB.Ids()[1]);
        var followersOfX = await _web.ApiGetAsync("/douyin/relation/follower/list/", ("user_id", xId), ("token", x));
        Assert.Equal([aId], followersOfX.Ids());
        Assert.True(followersOfX["user_list"]![0]!.Bool("is_follow"));
        Assert.Equal(1, followersOfX["user_list"]![0]!.Long("follow_count"));

        // No followers is an empty array; an unknown user or no user at all is refused.
        var nobody = await _web.ApiGetAsync("/douyin/relation/follower/list/", ("user_id", viewerId));
        Assert.Equal(0, nobody.StatusCode());
        Assert.Empty(nobody["user_list"]!.AsArray());
        var unknown = await _web.ApiGetAsync("/douyin/relation/follow/list/", ("user_id", 12345));
        Assert.Equal(404, unknown.StatusCode());
        Assert.Empty(unknown["user_list"]!.AsArray());
        Assert.Equal(400, (await _web.ApiGetAsync("/douyin/relation/follower/list/")).StatusCode());
    }
}
