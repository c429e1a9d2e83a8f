using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace Douyin.IntegrationTests.Faults;

/// <summary>
/// The fault drill: a few clients like, follow, message and read the feed without pause while each dependency and
/// each service in turn is stopped for a while and started again. Afterwards, once the queues drain, every write
/// answered with status_code 0 must be in its database and every counter must equal the rows it counts. It prints a
/// table per fault (docs/reliability.md): the error rate while the fault lasted, the time from the restart command
/// to every kind of call succeeding again, and the acknowledged writes lost. Every refusal must be clean: the envelope
/// with a reason, never an internal error or no answer. CI runs it with 3 s faults; set
/// DOUYIN_DRILL_SECONDS for longer ones and DOUYIN_DRILL_REPORT to a file path to get the table as markdown.
/// </summary>
[Collection(FaultsCollection.Name)]
public sealed class FaultDrillTests(DouyinAppFixture fixture, ITestOutputHelper output) : IDisposable
{
    static readonly string[] s_faults = ["pg", "cache", "messaging", "storage", "social", "feed", "chat"];
    static readonly string[] s_operations = ["like", "follow", "message", "feed"];
    const int Clients = 4;
    const int Users = 8;
    const int Videos = 4;
    const int ProbeRounds = 4;

    // Each client calls at most this often, so the load stays modest on CI's two cores (4 clients: ~100 calls/s).
    static readonly TimeSpan s_pace = TimeSpan.FromMilliseconds(40);

    static TimeSpan FaultLength =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("DOUYIN_DRILL_SECONDS"), out var seconds) ? seconds : 3);

    // Its own client: a call must give up well before HttpClient's default 100 s, as a phone would.
    readonly HttpClient _web = new() { BaseAddress = fixture.App.GetEndpoint("web"), Timeout = TimeSpan.FromSeconds(10) };
    readonly ConcurrentBag<(string Fault, long UserId, long VideoId)> _likes = [];
    readonly ConcurrentBag<(string Fault, long FollowerId, long FolloweeId)> _follows = [];
    readonly ConcurrentBag<(string Fault, string Content)> _messages = [];
    readonly ConcurrentBag<(string Fault, string Operation, string Detail, TimeSpan Took)> _unclean = [];

    [Fact]
    public async Task NoAcknowledgedWriteIsLostAndNoCounterDriftsThroughEveryFault()
    {
        var users = (await fixture.Web.RegisterManyAsync(Users)).Select(u => (Id: u.UserId, u.Token)).ToList();
        var backstage = new FeedWritesBackstage(fixture);
        var videos = await backstage.SeedVideosAsync(users[0].Id, Videos);

        var figures = new List<Figures>();
        foreach (var fault in s_faults)
        {
            figures.Add(await DrillAsync(fault, users, videos));
        }

        NpgsqlConnection.ClearAllPools(); // the test's own pooled connections did not survive PostgreSQL's restart
        var lost = await WaitForNoLossAsync(users, videos);
        var table = Table(figures, lost);
        output.WriteLine(table);
        if (Environment.GetEnvironmentVariable("DOUYIN_DRILL_REPORT") is { Length: > 0 } report)
        {
            await File.WriteAllTextAsync(report, table);
        }
        Assert.True(lost.Values.All(l => l.Count == 0), "Acknowledged writes lost or counters drifted:\n" + string.Join('\n', lost.Values.SelectMany(l => l)));
        Assert.All(figures, f => Assert.True(f.Unclean == 0, $"{f.Unclean} calls failed uncleanly while {f.Fault} was stopped:\n{table}\n"
            + string.Join('\n', _unclean.Where(u => u.Fault == f.Fault).Take(10).Select(u => $"{u.Operation} after {u.Took.TotalSeconds:0.00} s: {u.Detail}"))));
    }

    public void Dispose() => _web.Dispose();

    sealed record Figures(string Fault, int Calls, Dictionary<string, (int Calls, int Errors)> ByOperation, int Unclean, TimeSpan Slowest, TimeSpan Recovery);

    async Task<Figures> DrillAsync(string fault, List<(long Id, string Token)> users, List<long> videos)
    {
        var during = new ConcurrentBag<(string Operation, Outcome Outcome, TimeSpan Took)>();
        var faulty = 0; // 1 while the fault lasts: calls made then are the "during" figures
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            var random = new Random(client * 7919 + fault.GetHashCode(StringComparison.Ordinal));
            for (var i = 0; !stopLoad.IsCancellationRequested; i++)
            {
                var operation = s_operations[i % s_operations.Length];
                var duringFault = Volatile.Read(ref faulty) == 1; // by when it was made: a call may wait out the fault
                var took = Stopwatch.StartNew();
                var (outcome, detail) = await CallAsync(fault, operation, users[random.Next(Users)], users, videos, random);
                if (duringFault)
                {
                    during.Add((operation, outcome, took.Elapsed));
                    if (outcome == Outcome.Unclean)
                    {
                        _unclean.Add((fault, operation, detail, took.Elapsed));
                    }
                }
                await Task.Delay(s_pace);
            }
        })).ToList();

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        Volatile.Write(ref faulty, 1);
        await fixture.App.RunCommandAsync(fault, KnownResourceCommands.StopCommand, timeout.Token);
        await Task.Delay(FaultLength, timeout.Token); // the fault's length, not an assertion
        Volatile.Write(ref faulty, 0);

        var restart = Stopwatch.StartNew();
        await fixture.App.RunCommandAsync(fault, KnownResourceCommands.StartCommand, timeout.Token);
        // Recovered when every kind of call succeeds in several rounds in a row (the edge spreads them over the
        // replicas, and each replica recovers on its own: a circuit of one may still be open). Recovery is when the
        // first of those rounds had its answers (a call may wait for the server to come back rather than fail).
        var probe = new Random(fault.Length);
        var recovery = TimeSpan.Zero;
        for (var streak = 0; streak < ProbeRounds;)
        {
            var results = new List<Outcome>();
            foreach (var operation in s_operations)
            {
                results.Add((await CallAsync(fault, operation, users[probe.Next(Users)], users, videos, probe)).Outcome);
            }
            if (!results.All(outcome => outcome == Outcome.Ok))
            {
                streak = 0;
                await Task.Delay(100, timeout.Token);
                continue;
            }
            if (streak++ == 0)
            {
                recovery = restart.Elapsed;
            }
        }

        await stopLoad.CancelAsync();
        await Task.WhenAll(load);
        var byOperation = s_operations.ToDictionary(o => o, o => (during.Count(c => c.Operation == o), during.Count(c => c.Operation == o && c.Outcome != Outcome.Ok)));
        return new Figures(fault, during.Count, byOperation, during.Count(c => c.Outcome == Outcome.Unclean), during.Select(c => c.Took).DefaultIfEmpty().Max(), recovery);
    }

    enum Outcome { Ok, Refused, Unclean }

    /// <summary>
    /// One call as a client makes it: Ok (status_code 0; acknowledged writes are recorded), Refused (the envelope with
    /// a reason other than an internal error) or Unclean (500, no envelope, or no answer within 10 s), with what the
    /// answer was, for a failure to name.
    /// </summary>
    async Task<(Outcome Outcome, string Detail)> CallAsync(string fault, string operation, (long Id, string Token) user, List<(long Id, string Token)> users, List<long> videos, Random random)
    {
        var peer = users[(users.IndexOf(user) + 1 + random.Next(Users - 1)) % Users];
        try
        {
            switch (operation)
            {
                case "like":
                    var videoId = videos[random.Next(videos.Count)];
                    var liked = await _web.LikeAsync(user.Token, videoId);
                    if (liked.StatusCode() == 0)
                    {
                        _likes.Add((fault, user.Id, videoId));
                    }
                    return Classify(liked);
                case "follow":
                    var followed = await _web.ApiPostAsync("/douyin/relation/action/", ("token", user.Token), ("to_user_id", peer.Id), ("action_type", 1));
                    if (followed.StatusCode() == 0)
                    {
                        _follows.Add((fault, user.Id, peer.Id));
                    }
                    return Classify(followed);
                case "message":
                    var content = $"drill {Guid.NewGuid():N}";
                    var sent = await _web.ApiPostAsync("/douyin/message/action/", ("token", user.Token), ("to_user_id", peer.Id), ("action_type", 1), ("content", content));
                    if (sent.StatusCode() == 0)
                    {
                        _messages.Add((fault, content));
                    }
                    return Classify(sent);
                default:
                    return Classify(await _web.ApiGetAsync("/douyin/feed/", ("token", user.Token)));
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
        {
            return (Outcome.Unclean, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    static (Outcome, string) Classify(JsonObject reply) => (reply.StatusCode() switch
    {
        0 => Outcome.Ok,
        500 => Outcome.Unclean,
        _ => Outcome.Refused,
    }, $"{reply.StatusCode()} {reply["status_msg"]}");

    /// <summary>What is missing per fault, polled until nothing is or two minutes pass (likes wait in feed.writes, events in the outboxes).</summary>
    async Task<Dictionary<string, List<string>>> WaitForNoLossAsync(List<(long Id, string Token)> users, List<long> videos)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var lost = await CheckAsync(users, videos);
            if (lost.Values.All(l => l.Count == 0) || timeout.IsCancellationRequested)
            {
                return lost;
            }
            await Task.Delay(500);
        }
    }

    async Task<Dictionary<string, List<string>>> CheckAsync(List<(long Id, string Token)> users, List<long> videos)
    {
        var userIds = users.Select(u => u.Id).ToArray();
        var likes = (await fixture.PairsAsync("feeddb", "SELECT user_id, video_id FROM favorites WHERE is_favorite AND video_id = ANY($1)", videos.ToArray())).ToHashSet();
        var follows = (await fixture.PairsAsync("socialdb", "SELECT follower_id, followee_id FROM follows WHERE follower_id = ANY($1)", userIds)).ToHashSet();
        var messages = await fixture.TextCountsAsync("chatdb", "SELECT content, count(*) FROM messages WHERE from_user_id = ANY($1) GROUP BY content", userIds);

        var lost = s_faults.ToDictionary(f => f, _ => new List<string>());
        foreach (var (fault, userId, videoId) in _likes.Distinct().Where(l => !likes.Contains((l.UserId, l.VideoId))))
        {
            lost[fault].Add($"like of video {videoId} by {userId}");
        }
        foreach (var (fault, followerId, followeeId) in _follows.Distinct().Where(f => !follows.Contains((f.FollowerId, f.FolloweeId))))
        {
            lost[fault].Add($"follow of {followeeId} by {followerId}");
        }
        foreach (var (fault, content) in _messages.Where(m => messages.GetValueOrDefault(m.Content) != 1))
        {
            lost[fault].Add($"message '{content}' stored {messages.GetValueOrDefault(content)} times");
        }

        // Counters against rows (reported under the last fault: drift is not tied to one).
        var drift = lost[s_faults[^1]];
        foreach (var video in videos)
        {
            var (count, rows, _, _) = await new FeedWritesBackstage(fixture).CountersAsync(video);
            if (count != rows)
            {
                drift.Add($"video {video}: favorite_count {count}, {rows} likes");
            }
        }
        foreach (var userId in userIds)
        {
            var (followCount, followerCount, followRows, followerRows) = await new Relations.SocialBackstage(fixture).CountersAsync(userId);
            if (followCount != followRows || followerCount != followerRows)
            {
                drift.Add($"user {userId}: follow_count {followCount} for {followRows} rows, follower_count {followerCount} for {followerRows} rows");
            }
        }
        return lost;
    }

    string Table(List<Figures> figures, Dictionary<string, List<string>> lost)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"Fault length {FaultLength.TotalSeconds:0} s, {Clients} clients, {Users} users, {Videos} videos; acknowledged writes: {_likes.Count} likes, {_follows.Count} follows, {_messages.Count} messages.");
        table.AppendLine();
        table.AppendLine("| Stopped | Calls during | Errors during: like | follow | message | feed read | Unclean errors | Slowest answer during | Time to recover | Lost acknowledged writes / drift |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var f in figures)
        {
            table.Append(CultureInfo.InvariantCulture, $"| {f.Fault} | {f.Calls} |");
            foreach (var operation in s_operations)
            {
                var (calls, errors) = f.ByOperation[operation];
                table.Append(CultureInfo.InvariantCulture, $" {errors}/{calls} ({(calls == 0 ? 0 : 100.0 * errors / calls):0}%) |");
            }
            table.AppendLine(CultureInfo.InvariantCulture, $" {f.Unclean} | {f.Slowest.TotalSeconds:0.0} s | {f.Recovery.TotalSeconds:0.0} s | {lost[f.Fault].Count} |");
        }
        return table.ToString();
    }
}
