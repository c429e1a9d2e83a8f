using System.Net;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>The edge bounds what it reads: API bodies (other than uploads) and headers.</summary>
[Collection(DouyinAppCollection.Name)]
public sealed class BodyLimitTests(DouyinAppFixture fixture)
{
    [Fact]
    public async Task AnApiBodyOver64KbIsRefusedWithTheEnvelope()
    {
        var (_, token) = await fixture.Web.RegisterAsync();
        using var body = new FormUrlEncodedContent([KeyValuePair.Create("token", token), KeyValuePair.Create("content", new string('x', 70 * 1024))]);
        using var response = await fixture.Web.PostAsync("/douyin/message/action/?to_user_id=1&action_type=1", body);

        var reply = await DouyinClient.ReadEnvelopeAsync(response);
        Assert.NotEqual(0, reply.StatusCode());
        Assert.Contains("too large", reply.StatusMsg());
    }

    [Fact]
    public async Task AnApiBodyJustUnderTheLimitIsRead()
    {
        var username = DouyinClient.UniqueName();
        await fixture.Web.RegisterAsync(username, "secret-pw");
        using var body = new FormUrlEncodedContent(
            [KeyValuePair.Create("username", username), KeyValuePair.Create("password", "secret-pw"), KeyValuePair.Create("padding", new string('x', 60 * 1024))]);
        using var response = await fixture.Web.PostAsync("/douyin/user/login/", body);

        Assert.Equal(0, (await DouyinClient.ReadEnvelopeAsync(response)).StatusCode());
    }

    [Fact]
    public async Task OversizedHeadersAreRefusedByKestrelBeforeAnyService()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/douyin/feed/");
        request.Headers.Add("X-Padding", new string('x', 40 * 1024));
        using var response = await fixture.Web.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
    }
}
