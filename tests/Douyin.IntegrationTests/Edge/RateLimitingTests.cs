using System.Net;
using System.Net.Http.Json;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Api.Identity;
using Microsoft.Extensions.Options;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// The edge's limits, on a Douyin.Web of its own with tiny buckets (<see cref="EdgeApp"/>): a request that passes the
/// limiter gets the gateway's "unavailable" envelope, one that does not gets "too many requests". xUnit makes a new
/// instance, so a new Web with full buckets, for every test. No proxy is configured, so forwarded headers are ignored.
/// </summary>
public sealed class RateLimitingTests : IAsyncLifetime
{
    const string JwtKey = EdgeApp.JwtKey;
    EdgeApp _edge = null!;
    HttpClient _web = null!;

    public async Task InitializeAsync()
    {
        // The partitioned limiter refills continuously, at TokensPerPeriod per ReplenishmentPeriod: each bucket gets
        // one token a minute, or a slow machine's requests would find it refilled (General's default 200 a minute is
        // 3.3 a second, and made seven requests that took two seconds all pass).
        _edge = await EdgeApp.StartAsync(
            ("RateLimiting__Login__TokenLimit", "3"),
            ("RateLimiting__Login__TokensPerPeriod", "1"),
            ("RateLimiting__Login__ReplenishmentPeriod", "00:01:00"),
            ("RateLimiting__Writes__TokenLimit", "2"),
            ("RateLimiting__Writes__TokensPerPeriod", "1"),
            ("RateLimiting__Writes__ReplenishmentPeriod", "00:01:00"),
            ("RateLimiting__General__TokenLimit", "5"),
            ("RateLimiting__General__TokensPerPeriod", "1"),
            ("RateLimiting__General__ReplenishmentPeriod", "00:01:00"));
        _web = _edge.Web;
    }

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task LoginAttemptsFromOneAddressAreLimitedWithTheEnvelopeAndRetryAfter()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(503, (await _web.ApiPostAsync("/douyin/user/login/", ("username", "x"), ("password", "y"))).StatusCode());
        }

        using var refused = await _web.PostAsync("/douyin/user/login/?username=x&password=y", null);
        var reply = (await refused.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!;

        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Equal(429, reply.StatusCode());
        Assert.Contains("Too many requests", reply.StatusMsg());
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    [Fact]
    public async Task WritesAreLimitedPerUserSoOneUserCannotExhaustAnother()
    {
        var tokens = new TokenService(Options.Create(new JwtOptions { Key = JwtKey }), TimeProvider.System);
        var alice = tokens.Issue(1001);
        var bob = tokens.Issue(1002);

        var aliceReplies = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            aliceReplies.Add((await _web.ApiPostAsync("/douyin/favorite/action/", ("token", alice), ("video_id", 1), ("action_type", 1))).StatusCode());
        }

        Assert.Equal([503, 503, 429], aliceReplies);
        Assert.Equal(503, (await _web.ApiPostAsync("/douyin/favorite/action/", ("token", bob), ("video_id", 1), ("action_type", 1))).StatusCode());
    }

    [Fact]
    public async Task MadeUpTokensCountAgainstTheAddress()
    {
        var replies = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            replies.Add((await _web.ApiGetAsync("/douyin/feed/", ("token", $"made-up-{i}"))).StatusCode());
        }

        Assert.Contains(429, replies);
    }

    [Fact]
    public async Task ARefusalOutsideTheApiIsAPlain429()
    {
        HttpStatusCode last = HttpStatusCode.OK;
        for (var i = 0; i < 8 && last != HttpStatusCode.TooManyRequests; i++)
        {
            using var response = await _web.GetAsync("/assets/avatar.svg");
            last = response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
    }

    /// <summary>Every spelling the services would route as login counts against the login bucket, or is refused as a path.</summary>
    [Theory]
    [InlineData("/douyin/user/login/")]
    [InlineData("/douyin/USER/login/")]
    [InlineData("/DOUYIN/User/LOGIN")]
    [InlineData("/douyin/user/%6Cogin/")]
    [InlineData("/douyin/user/%252E%252E/user/login/")]
    [InlineData("/douyin/user/%2E%2E/user/login/")]
    [InlineData("/douyin/feed/%252E%252E/user/login/")]
    [InlineData("/douyin/user/./login/")]
    [InlineData("/douyin/user//login/")]
    [InlineData("/douyin//user/login/")]
    [InlineData("/douyin/user/login;x/")]
    [InlineData("/douyin/user/login%2F")]
    [InlineData("/douyin/user/%2e%2e%5Cuser%5Clogin/")]
    public async Task TheLoginLimitCannotBeDodgedByCaseOrSpelling(string spelling)
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(503, (await _web.ApiPostAsync("/douyin/user/login/", ("username", "x"), ("password", "y"))).StatusCode());
        }

        var reply = await RawHttp.SendAsync(_web.BaseAddress!, "POST", spelling + "?username=x&password=y");

        Assert.Equal(200, reply.Status);
        Assert.Contains(System.Text.Json.Nodes.JsonNode.Parse(reply.Body)!.AsObject().StatusCode(), new[] { 429, 400 });
    }

    [Theory]
    [InlineData("/douyin/favorite/ACTION/")]
    [InlineData("/douyin/favorite/Action")]
    [InlineData("/DOUYIN/FAVORITE/ACTION/")]
    [InlineData("/douyin/favorite/%61ction/")]
    [InlineData("/douyin/favorite/action%2F")]
    [InlineData("/douyin/favorite/action;x/")]
    [InlineData("/douyin/favorite/action/%2E/")]
    public async Task TheWritesLimitCannotBeDodgedByCaseOrSpelling(string spelling)
    {
        var token = new TokenService(Options.Create(new JwtOptions { Key = JwtKey }), TimeProvider.System).Issue(1001);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(503, (await _web.ApiPostAsync("/douyin/favorite/action/", ("token", token), ("video_id", 1), ("action_type", 1))).StatusCode());
        }

        var reply = await RawHttp.SendAsync(_web.BaseAddress!, "POST", $"{spelling}?token={token}&video_id=1&action_type=1");

        Assert.Equal(200, reply.Status);
        Assert.Contains(System.Text.Json.Nodes.JsonNode.Parse(reply.Body)!.AsObject().StatusCode(), new[] { 429, 400 });
    }

    [Fact]
    public async Task AFreshXForwardedForPerRequestDoesNotResetTheLoginBucket()
    {
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(503, (await _web.ApiPostAsync("/douyin/user/login/", ("username", "x"), ("password", "y"))).StatusCode());
        }

        var replies = new List<int>();
        for (var i = 1; i <= 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/douyin/user/login/?username=x&password=y");
            request.Headers.Add("X-Forwarded-For", $"203.0.113.{i}");
            request.Headers.Add("X-Forwarded-Proto", "https");
            using var response = await _web.SendAsync(request);
            replies.Add((await DouyinClient.ReadEnvelopeAsync(response)).StatusCode());
        }

        Assert.Equal([429, 429, 429, 429, 429], replies);
    }

    [Fact]
    public async Task MediaRequestsDoNotSpendTheGeneralBucket()
    {
        for (var i = 0; i < 20; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/media/videos/1.mp4");
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(i * 1000, i * 1000 + 999);
            using var media = await _web.SendAsync(request);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, media.StatusCode);
        }

        Assert.Equal(503, (await _web.ApiGetAsync("/douyin/feed/")).StatusCode());
    }
}
