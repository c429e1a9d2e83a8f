using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Douyin.IntegrationTests.Infrastructure.ReplicaProcesses;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// Replicas lost under a steady load of feed reads, user info and likes (issue 18): one replica of Feed and one of
/// Social stopped as a rollout stops a pod (SIGTERM), then one more of each killed as a failed node loses it (SIGKILL).
/// The edge's health checks take each out and its retry sends what the lost one failed to another replica, so no
/// client sees an error, and every acknowledged like is applied once. Prints the figures of each step
/// (docs/reliability.md).
/// </summary>
public sealed class ReplicaLossTests(ReplicaLossFixture fixture, ITestOutputHelper output) : IClassFixture<ReplicaLossFixture>
{
    const int Clients = 4;
    const int Users = 8;
    const int Videos = 150;

    [Fact]
    public async Task NoRequestFailsAndNoLikeIsAppliedTwiceWhileReplicasAreStoppedAndKilled()
    {
        var users = (await fixture.Web.RegisterManyAsync(Users)).Select(u => (Id: u.UserId, u.Token)).ToList();
        var videos = await new FeedWritesBackstage(fixture).SeedVideosAsync(users[0].Id, Videos);
        var load = new MixedLoad(fixture.Web, users, videos, "feed", "user", "like");
        using var webLogs = fixture.App.TailLogs("web"); // the edge logs each failover decision (Gateway/ReplicaFailover.cs)
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));

        load.Start(Clients, "before");
        await load.WaitForCallsAsync(100, timeout.Token);

        load.BeginStep("SIGTERM feed-0 and social-0, until both exited");
        var stopped = new[] { await fixture.SignalAsync("feed", 0, SIGTERM), await fixture.SignalAsync("social", 0, SIGTERM) };
        foreach (var process in stopped)
        {
            await process.WaitForExitAsync(timeout.Token); // after the drain delay, once Kestrel finished what it had
        }

        load.BeginStep("SIGKILL feed-1 and social-1, then 400 calls");
        var killed = new[] { await fixture.SignalAsync("feed", 1, SIGKILL), await fixture.SignalAsync("social", 1, SIGKILL) };
        foreach (var process in killed)
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        await load.WaitForCallsAsync(400, timeout.Token);
        await load.StopAsync();

        var failures = load.Calls.Where(c => c.Failure is not null).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} calls failed:\n{load.Table()}\n" + string.Join('\n', failures.Take(20).Select(f => $"step {f.Step} {f.Operation}: {f.Failure}")) + "\n" + webLogs.Last(60));
        var lost = await load.WaitForNoLossAsync(fixture);
        output.WriteLine(load.Table(lost));
        Assert.True(lost.All(l => l.Count == 0), string.Join('\n', lost.SelectMany(l => l)));
    }
}
