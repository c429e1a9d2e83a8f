using System.Net;
using Aspire.Hosting;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Health;

[Collection(DouyinAppCollection.Name)]
public sealed class ReplicaTests(DouyinAppFixture fixture)
{
    [Theory]
    [InlineData("feed")]
    [InlineData("social")]
    [InlineData("chat")]
    public async Task EveryReplicaOfTheServiceAnswers(string service)
    {
        var expected = service == "chat"
            ? DouyinAppFixture.ChatReplicas
            : int.TryParse(Environment.GetEnvironmentVariable("DOUYIN_TEST_REPLICAS"), out var replicas) ? replicas : 1;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // Each replica process listens on a port of its own, which the edge reaches directly.
        var urls = (await fixture.App.ReplicaAddressesAsync(service, timeout.Token)).Select(u => new Uri(u, "/health")).ToList();
        Assert.Equal(expected, urls.Count);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);
        }
    }
}
