using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Accounts;

/// <summary>
/// A token outlives nothing it names: once its user's row is gone (there is no account deletion in the API, so the
/// test deletes it in socialdb), every service refuses it as 401 with a reason, on reads and actions alike.
/// </summary>
[Collection(DouyinAppCollection.Name)]
public sealed class DeletedUserTests(DouyinAppFixture fixture)
{
    [Fact]
    public async Task ATokenOfADeletedUserIsRefusedByEveryService()
    {
        var (peerId, _) = await fixture.Web.RegisterAsync();
        var (userId, token) = await fixture.Web.RegisterAsync();
        Assert.Equal(1, await fixture.ScalarAsync("socialdb", "WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING 1) SELECT count(*) FROM gone", userId));

        JsonObject[] replies =
        [
            await fixture.Web.ApiGetAsync("/douyin/user/", ("user_id", userId), ("token", token)),
            await fixture.Web.ApiPostAsync("/douyin/relation/action/", ("token", token), ("to_user_id", peerId), ("action_type", 1)),
            await fixture.Web.ApiPostAsync("/douyin/favorite/action/", ("token", token), ("video_id", 1), ("action_type", 1)),
            await fixture.Web.ApiPostAsync("/douyin/comment/action/", ("token", token), ("video_id", 1), ("action_type", 1), ("comment_text", "hi")),
            await fixture.Web.ApiPostAsync("/douyin/message/action/", ("token", token), ("to_user_id", peerId), ("action_type", 1), ("content", "hi")),
            await fixture.Web.ApiGetAsync("/douyin/message/chat/", ("token", token), ("to_user_id", peerId)),
        ];

        Assert.All(replies, reply =>
        {
            Assert.Equal(401, reply.StatusCode());
            Assert.Equal("The token's user no longer exists.", reply.StatusMsg());
        });
    }

    [Fact]
    public async Task UsersLookedUpTogetherAreEachAcceptedOrRefusedOnTheirOwn()
    {
        var (authorId, _) = await fixture.Web.RegisterAsync();
        var videoId = await new FeedWritesBackstage(fixture).SeedVideoAsync(authorId);
        var users = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => fixture.Web.RegisterAsync()));
        var (deletedId, deletedToken) = users[17];
        Assert.Equal(1, await fixture.ScalarAsync("socialdb", "WITH gone AS (DELETE FROM users WHERE id = $1 RETURNING 1) SELECT count(*) FROM gone", deletedId));

        // Feed has seen none of these tokens: the users it looks up at the same moment share one call to Social.
        var likes = await Task.WhenAll(users.Select(u => fixture.Web.LikeAsync(u.Token, videoId)));

        for (var i = 0; i < users.Length; i++)
        {
            Assert.Equal(users[i].Token == deletedToken ? 401 : 0, likes[i].StatusCode());
        }
        Assert.Equal("The token's user no longer exists.", likes[17].StatusMsg());
    }
}
