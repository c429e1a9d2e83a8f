using System.Diagnostics;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static Douyin.IntegrationTests.Infrastructure.ReplicaProcesses;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// A Feed replica that hangs (SIGSTOP: it accepts connections, the kernel queues what they send, nothing answers):
/// its <c>/health</c> times out, so the edge stops sending it work (within about a second, on an idle machine), while what it already holds
/// waits. Killed then, it resets those connections: the reads it held are sent to another replica, the comment it
/// held is answered with the envelope and never sent again, since it may have been applied.
/// </summary>
public sealed class FrozenReplicaTests(ReplicaLossFixture fixture, ITestOutputHelper output) : IClassFixture<ReplicaLossFixture>
{
    /// <summary>More than a health probe or a feed read leaves unread, less than a held comment of 500 characters.</summary>
    const int HeldCommentBytes = 560;

    [Fact]
    public async Task AFrozenReplicaIsSkippedAndTheCommentItHeldIsNotReplayedWhenItIsKilled()
    {
        var (userId, token) = await fixture.Web.RegisterAsync();
        var backstage = new FeedWritesBackstage(fixture);
        var video = await backstage.SeedVideoAsync(userId);
        Assert.Equal(0, (await fixture.Web.ApiGetAsync("/douyin/feed/", ("token", token))).StatusCode()); // token and cards cached
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        // Warm: the first comment of a process pays for its broker channel and caches, and must not delay the freeze's.
        Assert.Equal(0, (await fixture.Web.CommentAsync(token, video, $"warm {Guid.NewGuid():N}")).StatusCode());

        var frozenPort = await fixture.ReplicaPortAsync("feed", 0);
        var frozen = await fixture.SignalAsync("feed", 0, SIGSTOP);
        var sinceFrozen = Stopwatch.StartNew();
        // One comment per replica at once: round robin gives each its own replica, so one of them is held by feed-0.
        var comments = Enumerable.Range(0, ReplicaLossFixture.Replicas)
            .Select(i => $"held {i} {Guid.NewGuid():N} ".PadRight(500, 'x'))
            .Select(text => (Text: text, Reply: fixture.Web.CommentAsync(token, video, text)))
            .ToList();
        while (comments.Count(c => c.Reply.IsCompleted) < comments.Count - 1 || UnreadBytes(frozenPort) < HeldCommentBytes)
        {
            await Task.Delay(10, timeout.Token);
        }
        var held = Assert.Single(comments, c => !c.Reply.IsCompleted);
        var heldAt = sinceFrozen.Elapsed;

        // Reads started every 20 ms: until the edge skips feed-0, one in three waits there. Skipped once 30 reads in a
        // row were answered; the last one sent to feed-0 is the latest unanswered before them.
        var reads = new List<(TimeSpan Started, Task<JsonObject> Reply)>();
        var streak = -1;
        while (streak < 0)
        {
            reads.Add((sinceFrozen.Elapsed, fixture.Web.ApiGetAsync("/douyin/feed/", ("token", token))));
            await Task.Delay(20, timeout.Token);
            for (int i = 0, answered = 0; i < reads.Count && streak < 0; i++)
            {
                answered = reads[i].Reply.IsCompleted ? answered + 1 : 0;
                streak = answered == 30 ? i - 29 : -1;
            }
        }
        var heldReads = reads.Take(streak).Where(r => !r.Reply.IsCompleted).ToList();
        // With no read held, the edge had skipped feed-0 before the first read (sent once the comment was seen held).
        var lastSent = heldReads.Select(r => r.Started).DefaultIfEmpty().Max();
        output.WriteLine($"feed-0 frozen: the comment seen held {heldAt.TotalSeconds:0.00} s after the freeze; {heldReads.Count} of {reads.Count} reads held, the last sent {lastSent.TotalSeconds:0.00} s after the freeze.");
        // The streak is the proof that feed-0 is skipped (while it took work, one read in three waited there); how soon
        // is a figure of the machine (docs/reliability.md), not asserted: a timed bound would fail on a busy CI runner.
        Assert.False(held.Reply.IsCompleted);

        frozen.Kill(); // SIGKILL: its connections are reset
        await frozen.WaitForExitAsync(timeout.Token);

        var refused = await held.Reply;
        Assert.Equal(503, refused.StatusCode());
        Assert.Equal("The feed service is unavailable; try again shortly.", refused.StatusMsg());
        Assert.All(await Task.WhenAll(reads.Select(r => r.Reply)), reply => Assert.Equal(0, reply.StatusCode())); // held reads went elsewhere
        Assert.All(comments.Where(c => c != held), c => Assert.Equal(0, c.Reply.Result.StatusCode()));

        // A comment made after the kill is applied; by then the held one would have been too, had it been replayed.
        var after = $"after {Guid.NewGuid():N}";
        Assert.Equal(0, (await fixture.Web.CommentAsync(token, video, after)).StatusCode());
        while (await CountAsync(backstage, after) == 0)
        {
            await Task.Delay(100, timeout.Token);
        }
        Assert.Equal(0, await CountAsync(backstage, held.Text));
        foreach (var comment in comments.Where(c => c != held))
        {
            Assert.Equal(1, await CountAsync(backstage, comment.Text));
        }
    }

    static Task<long> CountAsync(FeedWritesBackstage backstage, string text) =>
        backstage.FeedScalarAsync("SELECT count(*) FROM comments WHERE content = $1", text);
}
