using System.Net;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Douyin.ServiceDefaults.Tests.Shutdown;

/// <summary>A stopping service: unready at once, still serving through the drain delay, then stopped with nothing in flight lost.</summary>
public class GracefulShutdownTests
{
    static readonly TimeSpan s_drainDelay = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task AStoppingServiceTurnsUnreadyServesThroughTheDrainAndFinishesWhatIsInFlight()
    {
        var time = new FakeTimeProvider();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var service = await TestWebApp.StartAsync(
            b =>
            {
                b.Services.AddSingleton<TimeProvider>(time);
                b.AddDefaultHealthChecks();
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapGet("/ping", () => "pong");
                app.MapGet("/slow", async () =>
                {
                    slowStarted.SetResult();
                    await release.Task;
                    return "done";
                });
            },
            new Dictionary<string, string?> { ["Shutdown:DrainDelay"] = s_drainDelay.ToString() });
        using var client = new HttpClient { BaseAddress = service.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        var slow = client.GetStringAsync("/slow");
        await slowStarted.Task;
        // What SIGTERM does: the console lifetime raises ApplicationStopping, then the host stops.
        service.App.Lifetime.StopApplication();
        var stopping = service.App.StopAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        // Until the drain delay has passed, new requests are still served: the edge may not have noticed yet.
        Assert.Equal("pong", await client.GetStringAsync("/ping"));
        time.Advance(s_drainDelay - TimeSpan.FromSeconds(1));
        Assert.Equal("pong", await client.GetStringAsync("/ping"));
        Assert.False(stopping.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(1));
        release.SetResult();
        Assert.Equal("done", await slow);
        await stopping;
        await Assert.ThrowsAsync<HttpRequestException>(() => new HttpClient().GetAsync(new Uri(service.BaseAddress, "/ping")));
    }

    [Fact]
    public void TheHostsShutdownTimeoutCoversTheDrainAndTheStop()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["Shutdown:DrainDelay"] = "00:00:07";
        builder.Configuration["Shutdown:StopTimeout"] = "00:00:20";
        builder.AddDefaultHealthChecks();
        using var host = builder.Build();

        Assert.Equal(TimeSpan.FromSeconds(27), host.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
