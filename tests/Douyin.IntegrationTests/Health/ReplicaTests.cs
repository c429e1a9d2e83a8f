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
        Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(service, out var state));

        // One URL per replica process, since without a proxy each has its own port.
        var urls = state!.Snapshot.Urls.Where(u => u.Name == "http").Select(u => new Uri(new Uri(u.Url), "/health")).ToList();
        Assert.Equal(expected, urls.Count);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var url in urls)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);
        }
    }
}
