using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using System.Net.Http.Json;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.ServiceDefaults.Identity;
using Microsoft.Extensions.Options;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// The edge's limits, on a Douyin.Web of its own with tiny buckets. Nothing behind it runs: a request that passes
/// the limiter gets the gateway's "unavailable" envelope, one that does not gets "too many requests".
/// xUnit makes a new instance, so a new Web with full buckets, for every test.
/// </summary>
public sealed class RateLimitingTests : IAsyncLifetime
{
    const string JwtKey = "rate-limit-test-key-rate-limit-test-key";
    DistributedApplication _app = null!;
    HttpClient _web = null!;

    public async Task InitializeAsync()
    {
        var dataPath = Directory.CreateTempSubdirectory("douyin-edge-").FullName;
        var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = [$"--AppHost:DataPath={dataPath}", "--DcpPublisher:RandomizePorts=true"],
            Assembly = typeof(Projects.Douyin_AppHost).Assembly,
        });
        builder.AddProject<Projects.Douyin_Web>("web")
            .WithEnvironment("Jwt__Key", JwtKey)
            .WithEnvironment("ConnectionStrings__blobs", "UseDevelopmentStorage=true")
            .WithEnvironment("RateLimiting__Auth__TokenLimit", "3")
            .WithEnvironment("RateLimiting__Auth__ReplenishmentPeriod", "00:01:00")
            .WithEnvironment("RateLimiting__Writes__TokenLimit", "2")
            .WithEnvironment("RateLimiting__Writes__ReplenishmentPeriod", "00:01:00")
            .WithEnvironment("RateLimiting__General__TokenLimit", "5")
            .WithEnvironment("RateLimiting__General__ReplenishmentPeriod", "00:01:00")
            .WithHttpHealthCheck("/alive");
        _app = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        // One address family: "localhost" may connect over ::1 or 127.0.0.1, which are two clients to a per-address limit.
        _web = new HttpClient { BaseAddress = new UriBuilder(_app.GetEndpoint("web")) { Host = "127.0.0.1" }.Uri };
    }

    public async Task DisposeAsync()
    {
        _web.Dispose();
        await _app.DisposeAsync();
    }

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
}
