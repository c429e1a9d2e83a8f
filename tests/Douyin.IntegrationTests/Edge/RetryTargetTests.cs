using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// Where the edge's retry goes when the replica that failed was the only one it counted as healthy, as on a loaded
/// machine where the other replicas' probes time out (the fresh clone of 2 Dec 2026: a feed read answered 503 while a
/// Feed replica stopped). YARP applies the passive policy's verdict on a background task, so the retry may still see
/// the failed replica as the only one available; it must go to another one all the same, not to the same. A Douyin.Web of
/// its own (<see cref="EdgeApp"/>) with two Feed replicas, plain Kestrel apps: "breaking" answers its probe at once and
/// breaks off every request; "late" answers requests, but its probe only after the edge's probe timeout (1 s).
/// </summary>
public sealed class RetryTargetTests : IAsyncLifetime
{
    WebApplication _breaking = null!;
    WebApplication _late = null!;
    EdgeApp _edge = null!;
    int _brokenOff;
    int _lateProbes;

    public async Task InitializeAsync()
    {
        _breaking = await EdgeApp.StartFakeServiceAsync(context =>
        {
            if (context.Request.Path == "/health")
            {
                return Task.CompletedTask; // 200
            }
            Interlocked.Increment(ref _brokenOff);
            context.Abort(); // the connection breaks before the response begins
            return Task.CompletedTask;
        });
        _late = await EdgeApp.StartFakeServiceAsync(async context =>
        {
            if (context.Request.Path == "/health")
            {
                Interlocked.Increment(ref _lateProbes);
                await Task.Delay(TimeSpan.FromSeconds(3), context.RequestAborted);
                return;
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"status_code":0,"status_msg":"late","video_list":[]}""");
        });
        _edge = await EdgeApp.StartAsync(("services__feed__http__0", _breaking.Urls.First()), ("services__feed__http__1", _late.Urls.First()));
    }

    public async Task DisposeAsync()
    {
        await _edge.DisposeAsync();
        foreach (var app in new[] { _breaking, _late })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task AReadThatTheOnlyHealthyReplicaBrokeOffIsRetriedOnAReplicaThatIsOutRatherThanOnTheSameOne()
    {
        // A second probe of "late" means the first one's round ended: it timed out, and the edge took "late" out.
        await Eventually.HoldsAsync(() => Task.FromResult(Volatile.Read(ref _lateProbes)), probes => probes >= 2, "a second probe of the late replica");

        var reply = await _edge.Web.ApiGetAsync("/douyin/feed/");

        Assert.Equal(0, reply.StatusCode());
        Assert.Equal("late", reply.StatusMsg());
        Assert.Equal(1, Volatile.Read(ref _brokenOff));
    }
}
