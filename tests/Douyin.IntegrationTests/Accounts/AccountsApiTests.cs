using System.Net;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Accounts;

[Collection(DouyinAppCollection.Name)]
public sealed class AccountsApiTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;

    static readonly string[] s_userFields =
        ["id", "name", "follow_count", "follower_count", "is_follow", "avatar", "background_image", "signature", "total_favorited", "work_count", "favorite_count"];

    [Fact]
    public async Task RegisterLogsInAndLoginFindsTheSameUser()
    {
        var name = DouyinClient.UniqueName();
        var registered = await _web.ApiPostAsync("/douyin/user/register/", ("username", name), ("password", "secret-pw"));
        Assert.Equal(0, registered.StatusCode());
        var userId = registered["user_id"]!.GetValue<long>();
        Assert.True(userId > 0);
        Assert.False(string.IsNullOrEmpty(registered["token"]!.GetValue<string>()));

        var login = await _web.ApiPostAsync("/douyin/user/login/", ("username", name.ToUpperInvariant()), ("password", "secret-pw"));
        Assert.Equal(0, login.StatusCode());
        Assert.Equal(userId, login["user_id"]!.GetValue<long>());
    }

    [Fact]
    public async Task UserInfoWithOnlyATokenReturnsTheTokenOwnerWithEveryField()
    {
        var name = DouyinClient.UniqueName();
        var (userId, token) = await _web.RegisterAsync(name);

        var reply = await _web.ApiGetAsync("/douyin/user/", ("token", token));

        Assert.Equal(0, reply.StatusCode());
        var user = reply["user"]!.AsObject();
        Assert.Equal(s_userFields.Order(), user.Select(p => p.Key).Order());
        Assert.Equal(userId, user["id"]!.GetValue<long>());
        Assert.Equal(name, user["name"]!.GetValue<string>());
        Assert.False(user["is_follow"]!.GetValue<bool>());
        Assert.All(["avatar", "background_image", "signature"], f => Assert.False(string.IsNullOrEmpty(user[f]!.GetValue<string>())));
        Assert.All(["follow_count", "follower_count", "total_favorited", "work_count", "favorite_count"], f => Assert.Equal(0, user[f]!.GetValue<long>()));
    }

    [Fact]
    public async Task ProfileImagesAreAbsoluteUrlsTheClientCanFetch()
    {
        var (_, token) = await _web.RegisterAsync();
        var user = (await _web.ApiGetAsync("/douyin/user/", ("token", token)))["user"]!;

        var avatar = new Uri(user["avatar"]!.GetValue<string>());
        Assert.True(avatar.IsAbsoluteUri);
        Assert.Equal(_web.BaseAddress!.Authority, avatar.Authority);

        using var image = await _web.GetAsync(avatar);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/svg+xml", image.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task AnotherUsersCardIsReturnedByUserId()
    {
        var (otherId, _) = await _web.RegisterAsync();
        var (_, token) = await _web.RegisterAsync();

        var reply = await _web.ApiGetAsync("/douyin/user/", ("user_id", otherId), ("token", token));

        Assert.Equal(otherId, reply["user"]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task ParametersAreAlsoReadFromAFormBodyAndTheTokenFromABearerHeader()
    {
        var name = DouyinClient.UniqueName();
        var reply = await _web.ApiPostFormAsync("/douyin/user/register", ("username", name), ("password", "secret-pw"));
        Assert.Equal(0, reply.StatusCode());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/douyin/user");
        request.Headers.Authorization = new("Bearer", reply["token"]!.GetValue<string>());
        using var response = await _web.SendAsync(request);
        Assert.Contains(name, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ADuplicateNameIsRefusedIgnoringCaseAndKeepsTokenPresent()
    {
        var name = DouyinClient.UniqueName();
        await _web.RegisterAsync(name);

        var reply = await _web.ApiPostAsync("/douyin/user/register/", ("username", name.ToUpperInvariant()), ("password", "another-pw"));

        Assert.NotEqual(0, reply.StatusCode());
        Assert.Contains("taken", reply.StatusMsg());
        Assert.Equal("", reply["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task ConcurrentRegistrationsOfOneNameCreateExactlyOneAccount()
    {
        var name = DouyinClient.UniqueName();

        var replies = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ =>
            _web.ApiPostAsync("/douyin/user/register/", ("username", name), ("password", "secret-pw"))));

        Assert.Single(replies, r => r.StatusCode() == 0);
        Assert.All(replies.Where(r => r.StatusCode() != 0), r => Assert.Contains("taken", r.StatusMsg()));
    }

    [Fact]
    public async Task WrongPasswordAndUnknownUserAnswerAlike()
    {
        var name = DouyinClient.UniqueName();
        await _web.RegisterAsync(name);

        var wrongPassword = await _web.ApiPostAsync("/douyin/user/login/", ("username", name), ("password", "not-the-pw"));
        var unknownUser = await _web.ApiPostAsync("/douyin/user/login/", ("username", DouyinClient.UniqueName()), ("password", "not-the-pw"));

        Assert.NotEqual(0, wrongPassword.StatusCode());
        Assert.Equal(wrongPassword.StatusCode(), unknownUser.StatusCode());
        Assert.Equal(wrongPassword.StatusMsg(), unknownUser.StatusMsg());
        Assert.Equal("", wrongPassword["token"]!.GetValue<string>());
        Assert.Equal("", unknownUser["token"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", "secret-pw", "username is required")]
    [InlineData("abcdefghijabcdefghijabcdefghijabc", "secret-pw", "username must be 1 to 32")]
    [InlineData("bell\u0007name", "secret-pw", "control characters")]
    [InlineData("validname", "12345", "password must be 6 to 32")]
    [InlineData("validname", "123456789012345678901234567890123", "password must be 6 to 32")]
    public async Task BadCredentialsAreRefusedWithAReason(string username, string password, string reason)
    {
        var reply = await _web.ApiPostAsync("/douyin/user/register/", ("username", username), ("password", password));

        Assert.Equal(400, reply.StatusCode());
        Assert.Contains(reason, reply.StatusMsg());
        Assert.Equal("", reply["token"]!.GetValue<string>());
    }

    [Fact]
    public async Task UserInfoRefusesMissingAndBadTokensAndUnknownUsers()
    {
        var (_, token) = await _web.RegisterAsync();

        Assert.Equal(401, (await _web.ApiGetAsync("/douyin/user/")).StatusCode());
        Assert.Equal(401, (await _web.ApiGetAsync("/douyin/user/", ("token", token + "x"))).StatusCode());
        Assert.Equal(404, (await _web.ApiGetAsync("/douyin/user/", ("token", token), ("user_id", 12345))).StatusCode());
        Assert.Equal(400, (await _web.ApiGetAsync("/douyin/user/", ("token", token), ("user_id", "abc"))).StatusCode());
    }
}
