using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Gateway;

[Collection(DouyinAppCollection.Name)]
public sealed class GatewayTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;

    [Theory]
    [InlineData("/douyin/unknown/")]
    [InlineData("/douyin/user/nothing-here/")]
    public async Task AnUnknownApiPathAnswersWithTheEnvelope(string path)
    {
        var reply = await _web.ApiGetAsync(path);

        Assert.Equal(404, reply.StatusCode());
        Assert.Contains("Unknown endpoint", reply.StatusMsg());
    }

    [Fact]
    public async Task AWrongMethodAnswersWithTheEnvelope()
    {
        var reply = await _web.ApiGetAsync("/douyin/user/register/");

        Assert.NotEqual(0, reply.StatusCode());
        Assert.Contains("not allowed", reply.StatusMsg());
    }

    [Theory]
    [InlineData("/douyin/user/register/")]
    [InlineData("/douyin/user/register")]
    public async Task PathsWorkWithAndWithoutTheTrailingSlash(string path)
    {
        var reply = await _web.ApiPostAsync(path, ("username", DouyinClient.UniqueName()), ("password", "secret-pw"));

        Assert.Equal(0, reply.StatusCode());
    }
}
