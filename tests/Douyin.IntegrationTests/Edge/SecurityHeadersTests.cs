using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>Every answer of the edge, its own or forwarded, success or refusal, carries nosniff and a content security policy.</summary>
[Collection(DouyinAppCollection.Name)]
public sealed class SecurityHeadersTests(DouyinAppFixture fixture)
{
    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/users/1/followers")]
    [InlineData("GET", "/assets/avatar.svg")]
    [InlineData("GET", "/douyin/feed/")]
    [InlineData("POST", "/douyin/user/login/?username=nobody&password=wrong-pw")]
    [InlineData("GET", "/douyin/unknown/")]
    [InlineData("GET", "/douyin/user/%252E%252E/")]
    [InlineData("POST", "/hubs/chat/negotiate?negotiateVersion=1")]
    [InlineData("GET", "/health")]
    [InlineData("GET", "/missing.png")]
    public async Task EveryAnswerIsNosniffAndTheClientMayNotBeFramed(string method, string target)
    {
        var reply = await RawHttp.SendAsync(fixture.Web.BaseAddress!, method, target);

        Assert.Equal("nosniff", reply.Headers["X-Content-Type-Options"]);
        var policy = reply.Headers["Content-Security-Policy"];
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Contains("script-src 'self'", policy);
    }

    [Theory]
    [InlineData("/media/videos/does-not-exist.mp4")]
    [InlineData("/media/videos/a$b.mp4")]
    [InlineData("/media/%252E%252E/x")]
    public async Task MediaIsSandboxed(string target)
    {
        var reply = await RawHttp.SendAsync(fixture.Web.BaseAddress!, "GET", target);

        Assert.Equal("nosniff", reply.Headers["X-Content-Type-Options"]);
        Assert.Equal("sandbox", reply.Headers["Content-Security-Policy"]);
    }
}
