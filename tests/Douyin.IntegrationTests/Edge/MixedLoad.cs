using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Chat;
using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;

namespace Douyin.IntegrationTests.Edge;

/// <summary>
/// A steady load of public API calls by a few clients, for tests that stop and kill replicas under it (issue 18). Each
/// client goes round its operations one call at a time; every call is recorded under the step in force when it was
/// made, and every acknowledged write (status_code 0) under that step too, so that a test can report per step the calls
/// made, the calls failed and the acknowledged writes lost (<see cref="WaitForNoLossAsync"/>).
/// </summary>
/// <remarks>
/// Operations: <c>feed</c> and <c>user</c> read; <c>like</c> likes a (user, video) pair no like had before, so each
/// acknowledged like must be one row counted once; <c>follow</c> follows another user (a state: a repeat is a no-op);
/// <c>message</c> and <c>comment</c> send a unique text that must be stored exactly once; <c>chat</c> is a message of
/// <see cref="ChatSender"/> to <see cref="ChatListener"/>, the conversation a test watches over the hub.
/// </remarks>
public sealed class MixedLoad(HttpClient web, IReadOnlyList<(long Id, string Token)> users, IReadOnlyList<long> videos, params string[] operations)
{
    public const string ChatPrefix = "chat ";

    /// <summary>Each client calls at most this often (4 clients: about 100 calls/s in all on CI's two cores).</summary>
    static readonly TimeSpan s_pace = TimeSpan.FromMilliseconds(20);

    readonly ConcurrentBag<Call> _calls = [];
    readonly ConcurrentBag<(int Step, long UserId, long VideoId)> _likes = [];
    readonly ConcurrentBag<(int Step, long FollowerId, long FolloweeId)> _follows = [];
    readonly ConcurrentBag<(int Step, string Content)> _messages = [];
    readonly ConcurrentBag<(int Step, long VideoId, string Text)> _comments = [];
    readonly List<string> _steps = [];
    readonly CancellationTokenSource _stop = new();
    List<Task> _clients = [];
    int _step = -1;
    int _nextLike;

    /// <param name="Failure">null for status_code 0; otherwise the envelope's code and message, or the exception.</param>
    /// <param name="Envelope">whether a failure came as the API's envelope (not an exception, a non-200 or a 500).</param>
    public sealed record Call(int Step, string Operation, string? Failure, bool Envelope);

    public (long Id, string Token) ChatSender => users[1];

    public (long Id, string Token) ChatListener => users[0];

    public IReadOnlyList<Call> Calls => [.. _calls];

    /// <summary>The chat messages acknowledged so far, in no particular order.</summary>
    public IReadOnlyList<string> AcknowledgedChat => [.. _messages.Where(m => m.Content.StartsWith(ChatPrefix, StringComparison.Ordinal)).Select(m => m.Content)];

    public void Start(int clients, string firstStep)
    {
        BeginStep(firstStep);
        _clients = [.. Enumerable.Range(0, clients).Select(client => Task.Run(() => ClientAsync(client, _stop.Token)))];
    }

    /// <summary>Calls made from now on count under <paramref name="name"/>.</summary>
    public void BeginStep(string name)
    {
        lock (_steps)
        {
            _steps.Add(name);
            Volatile.Write(ref _step, _steps.Count - 1);
        }
    }

    /// <summary>Waits until the current step has <paramref name="count"/> calls (so that each step has a load to report).</summary>
    public async Task WaitForCallsAsync(int count, CancellationToken cancellationToken)
    {
        var step = Volatile.Read(ref _step);
        while (_calls.Count(c => c.Step == step) < count)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_clients);
    }

    async Task ClientAsync(int client, CancellationToken stop)
    {
        for (var i = client; !stop.IsCancellationRequested; i++)
        {
            var step = Volatile.Read(ref _step);
            var operation = operations[i % operations.Length];
            Call call;
            try
            {
                var reply = await CallAsync(operation, users[i % users.Count], users[(i + 1 + i / users.Count % (users.Count - 1)) % users.Count], step, i);
                call = new Call(step, operation, reply.StatusCode() == 0 ? null : $"{reply.StatusCode()} {reply["status_msg"]}", reply.StatusCode() != 500);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Xunit.Sdk.XunitException)
            {
                call = new Call(step, operation, $"{ex.GetType().Name}: {ex.Message}", Envelope: false);
            }
            _calls.Add(call);
            await Task.Delay(s_pace, CancellationToken.None);
        }
    }

    async Task<JsonObject> CallAsync(string operation, (long Id, string Token) user, (long Id, string Token) peer, int step, int i)
    {
        switch (operation)
        {
            case "feed":
                return await web.ApiGetAsync("/douyin/feed/", ("token", user.Token));
            case "user":
                return await web.ApiGetAsync("/douyin/user/", ("user_id", peer.Id), ("token", user.Token));
            case "like":
                var n = Interlocked.Increment(ref _nextLike) - 1;
                var (liker, video) = (users[n % users.Count], videos[n / users.Count % videos.Count]);
                var liked = await web.LikeAsync(liker.Token, video);
                if (liked.StatusCode() == 0 && n < users.Count * videos.Count)
                {
                    _likes.Add((step, liker.Id, video));
                }
                return liked;
            case "follow":
                var followed = await web.FollowAsync(user.Token, peer.Id);
                if (followed.StatusCode() == 0)
                {
                    _follows.Add((step, user.Id, peer.Id));
                }
                return followed;
            case "comment":
                var (videoId, text) = (videos[i % videos.Count], $"comment {Guid.NewGuid():N}");
                var commented = await web.CommentAsync(user.Token, videoId, text);
                if (commented.StatusCode() == 0)
                {
                    _comments.Add((step, videoId, text));
                }
                return commented;
            default:
                var chat = operation == "chat";
                var (from, to) = chat ? (ChatSender, ChatListener) : (user, peer);
                var content = $"{(chat ? ChatPrefix : "message ")}{Guid.NewGuid():N}";
                var sent = await web.SendMessageAsync(from.Token, to.Id, content);
                if (sent.StatusCode() == 0)
                {
                    _messages.Add((step, content));
                }
                return sent;
        }
    }

    /// <summary>
    /// The acknowledged writes missing per step, polled until none is or two minutes pass (likes and comments wait in
    /// feed.writes, follows' counters in events): each like, follow, message and comment must be stored once, and each
    /// counter must equal the rows it counts (a write applied twice would count twice).
    /// </summary>
    public async Task<List<string>[]> WaitForNoLossAsync(DouyinAppFixture fixture)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var lost = await LostAsync(fixture);
            if (lost.All(l => l.Count == 0) || timeout.IsCancellationRequested)
            {
                return lost;
            }
            await Task.Delay(500, CancellationToken.None); // the write consumers apply queued writes in batches
        }
    }

    async Task<List<string>[]> LostAsync(DouyinAppFixture fixture)
    {
        var videoIds = videos.ToArray();
        var userIds = users.Select(u => u.Id).ToArray();
        var likes = (await fixture.PairsAsync("feeddb", "SELECT user_id, video_id FROM favorites WHERE is_favorite AND video_id = ANY($1)", videoIds)).ToHashSet();
        var follows = (await fixture.PairsAsync("socialdb", "SELECT follower_id, followee_id FROM follows WHERE follower_id = ANY($1)", userIds)).ToHashSet();
        var messages = await fixture.TextCountsAsync("chatdb", "SELECT content, count(*) FROM messages WHERE from_user_id = ANY($1) GROUP BY content", userIds);
        var comments = await fixture.TextCountsAsync("feeddb", "SELECT content, count(*) FROM comments WHERE video_id = ANY($1) AND NOT is_deleted GROUP BY content", videoIds);

        var lost = Enumerable.Range(0, _steps.Count).Select(_ => new List<string>()).ToArray();
        foreach (var (step, userId, videoId) in _likes.Where(l => !likes.Contains((l.UserId, l.VideoId))))
        {
            lost[step].Add($"like of video {videoId} by {userId}");
        }
        foreach (var (step, followerId, followeeId) in _follows.Distinct().Where(f => !follows.Contains((f.FollowerId, f.FolloweeId))))
        {
            lost[step].Add($"follow of {followeeId} by {followerId}");
        }
        foreach (var (step, content) in _messages.Where(m => messages.GetValueOrDefault(m.Content) != 1))
        {
            lost[step].Add($"message '{content}' stored {messages.GetValueOrDefault(content)} times");
        }
        foreach (var (step, videoId, text) in _comments.Where(c => comments.GetValueOrDefault(c.Text) != 1))
        {
            lost[step].Add($"comment '{text}' on video {videoId} stored {comments.GetValueOrDefault(text)} times");
        }

        // Counters against rows, reported under the last step: drift is not tied to one.
        var drift = lost[^1];
        var feed = new FeedWritesBackstage(fixture);
        foreach (var video in videos)
        {
            var (favorites, likeRows, commentCount, commentRows) = await feed.CountersAsync(video);
            if (favorites != likeRows || commentCount != commentRows)
            {
                drift.Add($"video {video}: favorite_count {favorites} for {likeRows} likes, comment_count {commentCount} for {commentRows} comments");
            }
        }
        var social = new SocialBackstage(fixture);
        foreach (var userId in userIds)
        {
            var (followCount, followerCount, followRows, followerRows) = await social.CountersAsync(userId);
            if (followCount != followRows || followerCount != followerRows)
            {
                drift.Add($"user {userId}: follow_count {followCount} for {followRows} rows, follower_count {followerCount} for {followerRows} rows");
            }
        }
        return lost;
    }

    /// <summary>Per step: calls, failed, failed per operation, acknowledged writes lost (<paramref name="lost"/> from <see cref="WaitForNoLossAsync"/>).</summary>
    public string Table(List<string>[]? lost = null)
    {
        var table = new StringBuilder();
        table.AppendLine(CultureInfo.InvariantCulture, $"{_clients.Count} clients, {users.Count} users, {videos.Count} videos.");
        table.AppendLine();
        var distinct = operations.Distinct().ToList();
        table.AppendLine($"| Step | Calls | Failed | {string.Join(" | ", distinct)} | Acknowledged writes | Lost |");
        table.AppendLine($"|---|---|---|{string.Concat(distinct.Select(_ => "---|"))}---|---|");
        var calls = Calls;
        var acknowledged = _likes.Select(l => l.Step).Concat(_follows.Select(f => f.Step)).Concat(_messages.Select(m => m.Step)).Concat(_comments.Select(c => c.Step)).ToList();
        string[] steps;
        lock (_steps)
        {
            steps = [.. _steps];
        }
        for (var step = 0; step < steps.Length; step++)
        {
            var inStep = calls.Where(c => c.Step == step).ToList();
            table.Append(CultureInfo.InvariantCulture, $"| {steps[step]} | {inStep.Count} | {inStep.Count(c => c.Failure is not null)} |");
            foreach (var operation in distinct)
            {
                table.Append(CultureInfo.InvariantCulture, $" {inStep.Count(c => c.Operation == operation && c.Failure is not null)}/{inStep.Count(c => c.Operation == operation)} |");
            }
            table.AppendLine(CultureInfo.InvariantCulture, $" {acknowledged.Count(s => s == step)} | {(lost is null ? "" : lost[step].Count.ToString(CultureInfo.InvariantCulture))} |");
        }
        return table.ToString();
    }
}
