using System.Diagnostics;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// The edge's default limits are fair to addresses many people share (a carrier NAT), and its per-address keys hold
/// through a configured proxy: 127.0.0.1 is one here, so X-Forwarded-For names the client, as an Ingress's would.
/// One Web for the class: each test uses addresses of its own.
/// </summary>
public sealed class SharedAddressTests : IAsyncLifetime
{
    EdgeApp _edge = null!;

    public async Task InitializeAsync() => _edge = await EdgeApp.StartAsync(("ForwardedHeaders__KnownProxies__0", "127.0.0.1"));

    public async Task DisposeAsync() => await _edge.DisposeAsync();

    [Fact]
    public async Task FiveHundredUsersBehindOneAddressCanAllLogInWithinAMinute()
    {
        var clock = Stopwatch.StartNew();
        var replies = new int[500];
        await Parallel.ForAsync(0, replies.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, cancellationToken) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/douyin/user/login/?username=user{i}&password=secret-pw");
            request.Headers.Add("X-Forwarded-For", "198.51.100.1");
            using var response = await _edge.Web.SendAsync(request, cancellationToken);
            replies[i] = (await DouyinClient.ReadEnvelopeAsync(response)).StatusCode();
        });

        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"500 logins took {clock.Elapsed}");
        Assert.All(replies, status => Assert.Equal(503, status)); // every one passed the limiter to the (absent) Social
    }

    [Fact]
    public async Task RegistrationFromOneAddressHasACeilingThatOtherAddressesDoNotShare()
    {
        var replies = await RegisterFromAsync("198.51.100.2", 25);

        Assert.All(replies.Take(20), status => Assert.Equal(503, status));
        Assert.Contains(429, replies.Skip(20));
        Assert.Equal([503], await RegisterFromAsync("198.51.100.3", 1));
    }

    [Fact]
    public async Task AnIPv6ClientsWholeSlash64IsOneAddress()
    {
        Assert.Contains(429, await RegisterFromAsync("2001:db8:1:2::1", 25));

        Assert.Equal([429], await RegisterFromAsync("2001:db8:1:2:ffff:ffff:ffff:ffff", 1));
        Assert.Equal([503], await RegisterFromAsync("2001:db8:1:3::1", 1));
    }

    async Task<List<int>> RegisterFromAsync(string address, int count)
    {
        var replies = new List<int>();
        for (var i = 0; i < count; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/douyin/user/register/?username={DouyinClient.UniqueName()}&password=secret-pw");
            request.Headers.Add("X-Forwarded-For", address);
            using var response = await _edge.Web.SendAsync(request);
            replies.Add((await DouyinClient.ReadEnvelopeAsync(response)).StatusCode());
        }
        return replies;
    }
}
