using System.Net;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Tests.Shared;

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

    /// <summary>
    /// A token as the hand-written TokenService wrote it before JwtBearer (that header text, sub/iss/iat/exp, HMAC-SHA256
    /// with the app's key) still opens the API; the same claims under another algorithm get the 401 envelope.
    /// </summary>
    [Fact]
    public async Task TokensIssuedBeforeJwtBearerStillWorkAndOtherAlgorithmsAreRefusedWithTheEnvelope()
    {
        var (userId, _) = await _web.RegisterAsync();
        var (before, others) = ForgedTokens.WithEachAlgorithm(await fixture.ParameterAsync("jwt-key"), ForgedTokens.Claims(userId, DateTimeOffset.UtcNow));

        var reply = await _web.ApiGetAsync("/douyin/user/", ("token", before));
        Assert.Equal(0, reply.StatusCode());
        Assert.Equal(userId, reply["user"]!["id"]!.GetValue<long>());

        foreach (var (algorithm, forged) in others)
        {
            var refused = await _web.ApiGetAsync("/douyin/user/", ("token", forged));
            Assert.True(refused.StatusCode() == 401, $"{algorithm} was not refused: {refused.ToJsonString()}");
            Assert.Equal("The token is invalid or expired: log in again.", refused.StatusMsg());
        }
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

    /// <summary>Characters that show nothing, reorder text or look like a space: with any of them a new name could pose as another.</summary>
    [Theory]
    [InlineData("\u200B")] // zero-width space (Cf)
    [InlineData("\u200C")] // zero-width non-joiner
    [InlineData("\u200D")] // zero-width joiner
    [InlineData("\u2060")] // word joiner
    [InlineData("\uFEFF")] // byte order mark, zero-width no-break space
    [InlineData("\u00AD")] // soft hyphen
    [InlineData("\u200E")] // left-to-right mark
    [InlineData("\u061C")] // Arabic letter mark
    [InlineData("\u202E")] // right-to-left override (bidi)
    [InlineData("\u2066")] // left-to-right isolate (bidi)
    [InlineData("\U000E0041")] // tag Latin capital A (Cf, outside the BMP)
    [InlineData("\uE000")] // private use (Co)
    [InlineData("\U000F0000")] // supplementary private use (Co)
    [InlineData("\u0378")] // unassigned (Cn)
    [InlineData("\u2028")] // line separator (Zl)
    [InlineData("\u2029")] // paragraph separator (Zp)
    [InlineData(" ")] // space
    [InlineData("\u00A0")] // no-break space
    [InlineData("\u2003")] // em space
    [InlineData("\u3000")] // ideographic space
    [InlineData("\u3164")] // Hangul filler (a letter that renders as nothing)
    [InlineData("\uFE0F")] // variation selector 16
    public async Task ANewNameWithAnInvisibleOrSpaceCharacterIsRefusedWithAReason(string character)
    {
        var name = DouyinClient.UniqueName("n");

        foreach (var spoof in new[] { name + character, character + name, name[..4] + character + name[4..] })
        {
            var reply = await _web.ApiPostAsync("/douyin/user/register/", ("username", spoof), ("password", "secret-pw"));

            Assert.Equal(400, reply.StatusCode());
            Assert.Contains($"U+{char.ConvertToUtf32(character, 0):X4}", reply.StatusMsg());
            Assert.Contains("invisible", reply.StatusMsg());
            Assert.Equal("", reply["token"]!.GetValue<string>());
        }
        Assert.Equal(0, (await _web.ApiPostAsync("/douyin/user/register/", ("username", name), ("password", "secret-pw"))).StatusCode());
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
