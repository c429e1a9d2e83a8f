using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Edge;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Api.Identity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Douyin.IntegrationTests.Gateway;

/// <summary>
/// What the edge sends a service and what it answers when the service cannot: a Douyin.Web of its own
/// (<see cref="EdgeApp"/>) whose Social is a plain Kestrel app answering with the request it received, and whose
/// Feed and Chat replicas refuse connections.
/// </summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    WebApplication _social = null!;
    EdgeApp _edge = null!;

    public async Task InitializeAsync()
    {
        _social = await EdgeApp.StartFakeServiceAsync(context => context.Response.WriteAsJsonAsync(new JsonObject
        {
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["headers"] = new JsonObject(context.Request.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value.ToString()))),
        }));
        // Once started, Urls holds the port Kestrel bound.
        _edge = await EdgeApp.StartAsync(("services__social__http__0", _social.Urls.First()));
    }

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        await _social.StopAsync();
        await _social.DisposeAsync();
    }

    [Fact]
    public async Task TheServiceKeyAndForgedForwardingHeadersStayAtTheEdge()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/douyin/user/?user_id=1");
        request.Headers.Add(ServiceCredential.HeaderName, "a-key-a-client-made-up-or-stole-0123456789");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9");
        request.Headers.Add("X-Forwarded-Host", "attacker.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Prefix", "/elsewhere");
        request.Headers.Add("X-Client-Note", "kept");
        using var response = await _edge.Web.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var seen = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        var headers = seen["headers"]!.AsObject().ToDictionary(h => h.Key, h => h.Value!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        Assert.Equal("/douyin/user/", seen["path"]!.GetValue<string>());
        Assert.Equal("?user_id=1", seen["query"]!.GetValue<string>());
        Assert.False(headers.ContainsKey(ServiceCredential.HeaderName), $"{ServiceCredential.HeaderName} reached the service");
        Assert.Equal("127.0.0.1", headers["X-Forwarded-For"]);
        Assert.Equal(_edge.Web.BaseAddress!.Authority, headers["X-Forwarded-Host"]);
        Assert.Equal("http", headers["X-Forwarded-Proto"]);
        Assert.False(headers.ContainsKey("X-Forwarded-Prefix"));
        Assert.Equal("kept", headers["X-Client-Note"]);
    }

    [Theory]
    [InlineData("/douyin/feed/", "feed")]
    [InlineData("/douyin/message/chat/?token=x&to_user_id=1", "chat")]
    public async Task AServiceThatIsDownIsAnsweredWithTheEnvelope(string target, string service)
    {
        using var response = await _edge.Web.GetAsync(target);

        var reply = await DouyinClient.ReadEnvelopeAsync(response);
        Assert.Equal(503, reply.StatusCode());
        Assert.Equal($"The {service} service is unavailable; try again shortly.", reply.StatusMsg());
    }

    [Fact]
    public async Task OutsideTheApiAServiceThatIsDownIsProblemDetails()
    {
        using var response = await _edge.Web.PostAsync("/hubs/chat/negotiate?negotiateVersion=1", content: null);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("The chat service is unavailable.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUploadDeclaringMoreThanItsLimitIsRefusedUnread()
    {
        // Only the head is sent: the edge must answer without waiting for 300 MB.
        var reply = await RawHttp.SendAsync(_edge.Web.BaseAddress!, "POST", "/douyin/publish/action/",
            headers: [("Content-Type", "multipart/form-data; boundary=x"), ("Content-Length", "300000000")]);

        Assert.Equal(200, reply.Status);
        var envelope = JsonNode.Parse(reply.Body)!.AsObject();
        Assert.Equal(400, envelope.StatusCode());
        Assert.Equal("The request body is too large; the limit is 200 MB.", envelope.StatusMsg());
    }
}
