using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Health;

[Collection(DouyinAppCollection.Name)]
public sealed class HealthTests(DouyinAppFixture fixture)
{
    [Fact]
    public async Task HealthTurnsUnhealthyWhilePostgresIsStoppedAndRecoversAfter()
    {
        using var social = fixture.App.CreateHttpClient("social");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Assert.Equal(HttpStatusCode.OK, (await social.GetAsync("/health", timeout.Token)).StatusCode);

        await fixture.App.ResourceCommands.ExecuteCommandAsync("pg", KnownResourceCommands.StopCommand, timeout.Token);
        try
        {
            await PollStatusAsync(social, HttpStatusCode.ServiceUnavailable, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, (await social.GetAsync("/alive", timeout.Token)).StatusCode); // alive, just not ready
        }
        finally
        {
            await fixture.App.ResourceCommands.ExecuteCommandAsync("pg", KnownResourceCommands.StartCommand, timeout.Token);
            // This test process's own pooled connections died with the server; later tests must not inherit them.
            Npgsql.NpgsqlConnection.ClearAllPools();
        }

        await PollStatusAsync(social, HttpStatusCode.OK, timeout.Token);
        // And the API works again without restarting the service.
        var (_, token) = await fixture.Web.RegisterAsync();
        Assert.Equal(0, (await fixture.Web.ApiGetAsync("/douyin/user/", ("token", token))).StatusCode());
    }

    static async Task PollStatusAsync(HttpClient client, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var response = await client.GetAsync("/health", cancellationToken);
                if (response.StatusCode == expected)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
