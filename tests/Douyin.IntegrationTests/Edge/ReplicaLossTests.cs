using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
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

    // Each client calls at most this often (about 100 calls/s in all on CI's two cores).
    static readonly TimeSpan s_pace = TimeSpan.FromMilliseconds(20);

    readonly ConcurrentBag<Call> _calls = [];
    readonly ConcurrentBag<(long UserId, long VideoId)> _likes = [];
    int _step;
    int _nextLike;

    sealed record Call(int Step, string Operation, string? Failure);

    [Fact]
    public async Task NoRequestFailsAndNoLikeIsAppliedTwiceWhileReplicasAreStoppedAndKilled()
    {
        var users = (await fixture.Web.RegisterManyAsync(Users)).Select(u => (Id: u.UserId, u.Token)).ToList();
        var backstage = new FeedWritesBackstage(fixture);
        var videos = await backstage.SeedVideosAsync(users[0].Id, Videos);

        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(client => Task.Run(() => ClientAsync(client, users, videos, stopLoad.Token))).ToList();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await WaitForCallsAsync(0, 100, timeout.Token);

        Volatile.Write(ref _step, 1);
        var stopped = new[] { await fixture.SignalAsync("feed", 0, SIGTERM), await fixture.SignalAsync("social", 0, SIGTERM) };
        foreach (var process in stopped)
        {
            await process.WaitForExitAsync(timeout.Token); // after the drain delay, once Kestrel finished what it had
        }

        Volatile.Write(ref _step, 2);
        var killed = new[] { await fixture.SignalAsync("feed", 1, SIGKILL), await fixture.SignalAsync("social", 1, SIGKILL) };
        foreach (var process in killed)
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        await WaitForCallsAsync(2, 400, timeout.Token);

        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        output.WriteLine(Table());
        var failures = _calls.Where(c => c.Failure is not null).ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} calls failed:\n{Table()}\n" + string.Join('\n', failures.Take(20).Select(f => $"step {f.Step} {f.Operation}: {f.Failure}")));
        await WaitForLikesAppliedOnceAsync(backstage, videos);
    }

    async Task ClientAsync(int client, List<(long Id, string Token)> users, List<long> videos, CancellationToken stop)
    {
        for (var i = client; !stop.IsCancellationRequested; i++)
        {
            var step = Volatile.Read(ref _step);
            var user = users[i % Users];
            var operation = (i % 3) switch { 0 => "feed", 1 => "user", _ => "like" };
            string? failure;
            try
            {
                failure = operation switch
                {
                    "feed" => Failure(await fixture.Web.ApiGetAsync("/douyin/feed/", ("token", user.Token))),
                    "user" => Failure(await fixture.Web.ApiGetAsync("/douyin/user/", ("user_id", users[(i + 1) % Users].Id), ("token", user.Token))),
                    _ => await LikeAsync(users, videos),
                };
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
            {
                failure = ex.Message;
            }
            _calls.Add(new Call(step, operation, failure));
            await Task.Delay(s_pace, CancellationToken.None);
        }
    }

    /// <summary>A like of a (user, video) pair no earlier like had, so that each acknowledged one must be one row.</summary>
    async Task<string?> LikeAsync(List<(long Id, string Token)> users, List<long> videos)
    {
        var n = Interlocked.Increment(ref _nextLike) - 1;
        var (user, video) = (users[n % Users], videos[n / Users % Videos]);
        var reply = await fixture.Web.LikeAsync(user.Token, video);
        if (reply.StatusCode() == 0 && n < Users * Videos)
        {
            _likes.Add((user.Id, video));
        }
        return Failure(reply);
    }

    static string? Failure(System.Text.Json.Nodes.JsonObject reply) => reply.StatusCode() == 0 ? null : $"{reply.StatusCode()} {reply.StatusMsg()}";

    async Task WaitForCallsAsync(int step, int count, CancellationToken cancellationToken)
    {
        while (_calls.Count(c => c.Step == step) < count)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Every acknowledged like has its row, and each video's favorite_count equals its rows (a like applied twice would count twice).</summary>
    async Task WaitForLikesAppliedOnceAsync(FeedWritesBackstage backstage, List<long> videos)
    {
        var expected = _likes.GroupBy(l => l.VideoId).ToDictionary(g => g.Key, g => (long)g.Count());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var wrong = new List<string>();
            foreach (var video in videos)
            {
                var (favorites, rows, _, _) = await backstage.CountersAsync(video);
                var acknowledged = expected.GetValueOrDefault(video);
                if (rows != acknowledged || favorites != rows)
                {
                    wrong.Add($"video {video}: {acknowledged} acknowledged likes, {rows} rows, favorite_count {favorites}");
                }
            }
            if (wrong.Count == 0 || timeout.IsCancellationRequested)
            {
                Assert.True(wrong.Count == 0, string.Join('\n', wrong));
                output.WriteLine($"{_likes.Count} acknowledged likes, each applied once.");
                return;
            }
            await Task.Delay(500, CancellationToken.None); // the write consumers apply queued likes in batches
        }
    }

    string Table()
    {
        string[] steps = ["before", "SIGTERM feed-0 and social-0, until both exited (drain 5 s)", "SIGKILL feed-1 and social-1, then 400 calls"];
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{Clients} clients, {Users} users, {ReplicaLossFixture.Replicas} replicas of feed and social.");
        table.AppendLine();
        table.AppendLine("| Step | Calls | Failed | feed | user | like |");
        table.AppendLine("|---|---|---|---|---|---|");
        for (var step = 0; step < steps.Length; step++)
        {
            var calls = _calls.Where(c => c.Step == step).ToList();
            table.Append(CultureInfo.InvariantCulture, $"| {steps[step]} | {calls.Count} | {calls.Count(c => c.Failure is not null)} |");
            foreach (var operation in new[] { "feed", "user", "like" })
            {
                table.Append(CultureInfo.InvariantCulture, $" {calls.Count(c => c.Operation == operation && c.Failure is not null)}/{calls.Count(c => c.Operation == operation)} |");
            }
            table.AppendLine();
        }
        return table.ToString();
    }
}
