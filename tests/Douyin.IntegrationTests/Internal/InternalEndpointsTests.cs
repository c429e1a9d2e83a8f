using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Api.Identity;
using Douyin.Api.Messages;
using Douyin.Api.Users;

namespace Douyin.IntegrationTests.Internal;

/// <summary>
/// Social's and Chat's /internal endpoints, called straight at the service as anything inside the network could: only the
/// service credential the AppHost hands Feed, Social and Chat opens them; a user's token, however valid, does not.
/// </summary>
[Collection(DouyinAppCollection.Name)]
public sealed class InternalEndpointsTests(DouyinAppFixture fixture)
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "social", UserCardsClient.Path },
        { "social", UserCardsClient.FollowedPath },
        { "chat", LatestMessagesClient.Path },
    };

    static JsonContent Body(string path, long userId) => path switch
    {
        UserCardsClient.Path => JsonContent.Create(new { user_ids = new[] { userId }, viewer_id = userId }),
        UserCardsClient.FollowedPath => JsonContent.Create(new { viewer_id = userId, user_ids = new[] { userId } }),
        _ => JsonContent.Create(new { user_id = userId, peer_ids = new[] { userId + 1 } }),
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task WithoutTheServiceCredentialAnInternalEndpointAnswers401WithProblemDetails(string service, string path)
    {
        var (userId, token) = await fixture.Web.RegisterAsync();
        var key = await fixture.ParameterAsync("service-key");
        using var anyone = fixture.App.CreateHttpClient(service);

        var attempts = new (string What, Action<HttpRequestHeaders> Headers, string Query)[]
        {
            ("no credential", _ => { }, ""),
            ("a wrong credential", h => h.Add(ServiceCredential.HeaderName, new string('x', 64)), ""),
            ("an empty credential", h => h.Add(ServiceCredential.HeaderName, ""), ""),
            ("the credential beside a second value", h => h.Add(ServiceCredential.HeaderName, [key, "another"]), ""),
            ("the credential with a suffix", h => h.Add(ServiceCredential.HeaderName, key + "x"), ""),
            ("a user's token in the credential's place", h => h.Add(ServiceCredential.HeaderName, token), ""),
            ("a user's token as a bearer header", h => h.Authorization = new("Bearer", token), ""),
            ("a user's token in the query", _ => { }, $"?token={token}"),
        };
        foreach (var (what, headers, query) in attempts)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path + query) { Content = Body(path, userId) };
            headers(request.Headers);
            using var response = await anyone.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.DoesNotContain("\"users\"", await response.Content.ReadAsStringAsync());
        }

        using var caller = await fixture.CreateInternalClientAsync(service);
        using var answered = await caller.PostAsync(path, Body(path, userId));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }
}
