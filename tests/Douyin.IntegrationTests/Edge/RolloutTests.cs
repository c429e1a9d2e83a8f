using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Chat;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Douyin.IntegrationTests.Infrastructure.ReplicaProcesses;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// Issue 18, item 4: a rolling deploy, then a lost node, under a steady mixed load (feed, user info, likes, follows,
/// messages, comments, and a chat screen that gets its messages pushed over the hub). Each replica of Feed, Social and
/// Chat is restarted in turn, gracefully (SIGTERM, a drain, a new process), as Kubernetes replaces pods one at a time;
/// then one replica of each is killed (SIGKILL). In the rollout no call fails; after the kills reads and the idempotent
/// writes (like, follow) never fail, and the other writes fail only with the envelope and only as many as were in flight
/// on the killed replicas; no acknowledged write is lost; the chat screen shows every acknowledged message exactly once.
/// Prints the figures of each step (docs/reliability.md).
/// </summary>
public sealed class RolloutTests(RolloutFixture fixture, ITestOutputHelper output) : IClassFixture<RolloutFixture>
{
    const int Clients = 4;
    const int Users = 8;
    const int Videos = 100;

    /// <summary>
    /// How long a rollout waits after a new replica is healthy before it stops the next one: Kubernetes' minReadySeconds.
    /// Two of the edge's probe intervals (Douyin.Web/appsettings.json, HealthCheck:Active:Interval), so that the edge
    /// sends to the new replica before the other one drains. Load shaping, not a wait for a result.
    /// </summary>
    static readonly TimeSpan s_minReady = TimeSpan.FromSeconds(2);

    static readonly string[] s_reads = ["feed", "user"];
    static readonly string[] s_idempotent = ["like", "follow"];

    [Fact]
    public async Task ARollingRestartFailsNoCallAndAKilledReplicaFailsOnlyWritesInFlightAndLosesNothing()
    {
        var users = (await fixture.Web.RegisterManyAsync(Users)).Select(u => (Id: u.UserId, u.Token)).ToList();
        var videos = await new FeedWritesBackstage(fixture).SeedVideosAsync(users[0].Id, Videos);
        var load = new MixedLoad(fixture.Web, users, videos, "feed", "user", "like", "follow", "message", "comment", "chat");
        await using var screen = await ChatConversation.OpenAsync(fixture.Web, load.ChatListener.Token, load.ChatListener.Id, load.ChatSender.Id);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        using var webLogs = fixture.App.TailLogs("web"); // the edge logs each failover decision (Gateway/ReplicaFailover.cs)
        var ct = timeout.Token;

        load.Start(Clients, "before");
        await load.WaitForCallsAsync(100, ct);

        // The rollout: one replica at a time, the next once the new one is ready.
        var restarts = 0;
        foreach (var replica in RolloutFixture.Services.SelectMany(fixture.App.ReplicaNames))
        {
            load.BeginStep($"restart {replica}");
            restarts++;
            await fixture.App.RestartAsync(replica, ct);
            await Task.Delay(s_minReady, ct);
        }

        // A node lost: replica 0 of each service killed, one after another, while the load goes on.
        var killStep = restarts + 1;
        load.BeginStep("SIGKILL feed-0, social-0 and chat-0");
        foreach (var service in RolloutFixture.Services)
        {
            var process = await fixture.SignalAsync(service, 0, SIGKILL);
            await process.WaitForExitAsync(ct);
        }
        load.BeginStep("then 300 calls");
        await load.WaitForCallsAsync(300, ct);
        await load.StopAsync();

        var calls = load.Calls;
        var report = load.Table();
        var duringRollout = calls.Where(c => c.Step <= restarts && c.Failure is not null).ToList();
        Assert.True(duringRollout.Count == 0, $"{duringRollout.Count} calls failed in the rollout:\n{report}\n{Failures(duringRollout, webLogs)}");
        var afterKill = calls.Where(c => c.Step >= killStep && c.Failure is not null).ToList();
        var mustNotFail = afterKill.Where(c => s_reads.Contains(c.Operation) || s_idempotent.Contains(c.Operation)).ToList();
        Assert.True(mustNotFail.Count == 0, $"{mustNotFail.Count} reads or idempotent writes failed after the kills:\n{report}\n{Failures(mustNotFail, webLogs)}");
        Assert.True(afterKill.All(c => c.Envelope), $"A write failed without the envelope after the kills:\n{report}\n{Failures(afterKill, webLogs)}");
        // Each client has one call in flight at a time, so each kill can catch at most one call per client.
        Assert.True(afterKill.Count <= Clients * RolloutFixture.Services.Length, $"{afterKill.Count} writes failed after the kills, more than could have been in flight:\n{report}\n{Failures(afterKill, webLogs)}");

        var lost = await load.WaitForNoLossAsync(fixture);
        output.WriteLine(load.Table(lost));
        output.WriteLine($"Failed after the kills: {(afterKill.Count == 0 ? "none" : Failures(afterKill))}");
        Assert.True(lost.All(l => l.Count == 0), "Acknowledged writes lost or counters drifted:\n" + string.Join('\n', lost.SelectMany(l => l)));

        // The chat screen: every acknowledged message once, and exactly what Chat stored for the conversation.
        var acknowledged = load.AcknowledgedChat;
        await screen.WaitUntilAsync(m => acknowledged.All(new HashSet<string>(m.Select(Content)).Contains), "every acknowledged chat message on the screen");
        var shown = screen.Messages;
        Assert.Equal(shown.Count, shown.Select(m => m.Id("id")).Distinct().Count());
        Assert.Equal((await fixture.Web.ChatHistoryAsync(load.ChatListener.Token, load.ChatSender.Id)).Select(m => m.Id("id")), shown.Select(m => m.Id("id")));
        Assert.Empty(screen.Failures);
        output.WriteLine($"Chat screen: {acknowledged.Count} acknowledged messages, {shown.Count} shown, each once, {screen.CaughtUp} of them from history; " +
            $"{screen.Hub.Reconnected} reconnections.");
    }

    static string Failures(IEnumerable<MixedLoad.Call> calls) =>
        string.Join('\n', calls.Take(20).Select(c => $"step {c.Step} {c.Operation}: {c.Failure}"));

    static string Failures(IEnumerable<MixedLoad.Call> calls, ResourceLogTail webLogs) => $"{Failures(calls)}\n{webLogs.Last(60)}";

    static string Content(JsonObject message) => message["content"]!.GetValue<string>();
}
