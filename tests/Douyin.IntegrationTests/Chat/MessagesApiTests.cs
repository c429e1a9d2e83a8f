using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Chat;

[Collection(DouyinAppCollection.Name)]
public sealed class MessagesApiTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;

    [Fact]
    public async Task AMessageToSomeoneWhoDoesNotFollowBackShowsInBothViewsWithEveryField()
    {
        var (aId, a) = await _web.RegisterAsync();
        var (bId, b) = await _web.RegisterAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var sent = await _web.SendMessageAsync(a, bId, "hello 你好 👋");

        Assert.Equal((0, "success"), (sent.StatusCode(), sent.StatusMsg()));
        var mine = await _web.ChatAsync(a, bId);
        var theirs = await _web.ChatAsync(b, aId);
        var message = Assert.Single(mine);
        Assert.Equal(message.ToJsonString(), Assert.Single(theirs).ToJsonString());
        Assert.Equal(["id", "to_user_id", "from_user_id", "content", "create_time"], message.Select(p => p.Key));
        Assert.True(message.Id("id") > 0);
        Assert.Equal((bId, aId, "hello 你好 👋"), (message.Id("to_user_id"), message.Id("from_user_id"), message["content"]!.GetValue<string>()));
        Assert.InRange(message.Id("create_time"), before - 5_000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 5_000); // milliseconds

        // The official tests' style (query and form both), and the paths without a trailing slash.
        Assert.Equal(0, (await _web.ApiPostFormAsync("/douyin/message/action", ("token", b), ("to_user_id", aId), ("action_type", 1), ("content", "back"))).StatusCode());
        var both = (await _web.ApiGetAsync("/douyin/message/chat", ("token", a), ("to_user_id", bId)))["message_list"]!.AsArray();
        Assert.Equal(["hello 你好 👋", "back"], both.Select(m => m!["content"]!.GetValue<string>()));
        Assert.Empty(await _web.ChatAsync(a, bId, preMsgTime: both[1]!.Id("create_time")));
    }

    [Fact]
    public async Task BadInputIsRefusedWithAReasonAndNothingIsStored()
    {
        var (aId, a) = await _web.RegisterAsync();
        var (bId, _) = await _web.RegisterAsync();

        async Task Refused(int status, string because, Task<JsonObject> call)
        {
            var reply = await call;
            Assert.True(status == reply.StatusCode(), $"{because}: expected {status}, got {reply.StatusCode()} \"{reply.StatusMsg()}\"");
            Assert.NotEqual("success", reply.StatusMsg());
        }

        await Refused(401, "no token", _web.ApiPostAsync("/douyin/message/action/", ("to_user_id", bId), ("action_type", 1), ("content", "x")));
        await Refused(401, "a bad token", _web.SendMessageAsync("not-a-token", bId, "x"));
        await Refused(400, "to oneself", _web.SendMessageAsync(a, aId, "x"));
        await Refused(404, "to nobody", _web.SendMessageAsync(a, long.MaxValue - 7, "x"));
        await Refused(400, "no recipient", _web.ApiPostAsync("/douyin/message/action/", ("token", a), ("action_type", 1), ("content", "x")));
        await Refused(400, "a recipient that is no number", _web.ApiPostAsync("/douyin/message/action/", ("token", a), ("to_user_id", "bob"), ("action_type", 1), ("content", "x")));
        await Refused(400, "action_type 2", _web.SendMessageAsync(a, bId, "x", actionType: 2));
        await Refused(400, "no action_type", _web.ApiPostAsync("/douyin/message/action/", ("token", a), ("to_user_id", bId), ("content", "x")));
        await Refused(400, "no content", _web.ApiPostAsync("/douyin/message/action/", ("token", a), ("to_user_id", bId), ("action_type", 1)));
        await Refused(400, "blank content", _web.SendMessageAsync(a, bId, "   "));
        await Refused(400, "501 characters", _web.SendMessageAsync(a, bId, new string('x', 501)));
        await Refused(400, "a control character", _web.SendMessageAsync(a, bId, "bell\u0007"));
        await Refused(401, "history without a token", _web.ApiGetAsync("/douyin/message/chat/", ("to_user_id", bId)));
        await Refused(400, "history without a peer", _web.ApiGetAsync("/douyin/message/chat/", ("token", a)));
        await Refused(400, "history with oneself", _web.ApiGetAsync("/douyin/message/chat/", ("token", a), ("to_user_id", aId)));
        await Refused(400, "a pre_msg_time that is no number", _web.ApiGetAsync("/douyin/message/chat/", ("token", a), ("to_user_id", bId), ("pre_msg_time", "yesterday")));
        Assert.Empty(await _web.ChatAsync(a, bId));

        // The limit counts characters: 500 emoji (1,000 UTF-16 units) pass, and line breaks are text.
        Assert.Equal(0, (await _web.SendMessageAsync(a, bId, string.Concat(Enumerable.Repeat("😀", 500)))).StatusCode());
        Assert.Equal(0, (await _web.SendMessageAsync(a, bId, "two\nlines")).StatusCode());
        Assert.Equal(2, (await _web.ChatAsync(a, bId)).Count);
    }

    [Fact]
    public async Task BannedWordsAreMaskedBeforeTheyAreStored()
    {
        var (_, a) = await _web.RegisterAsync();
        var (bId, _) = await _web.RegisterAsync();

        await _web.SendMessageAsync(a, bId, $"well {DouyinAppFixture.BannedWord.ToUpperInvariant()} it");

        Assert.Equal($"well {new string('*', DouyinAppFixture.BannedWord.Length)} it", Assert.Single(await _web.ChatAsync(a, bId))["content"]!.GetValue<string>());
    }

    /// <summary>
    /// The client polls with the newest create_time it holds. Bursts from both sides through both replicas put many
    /// messages in one millisecond; a poller running meanwhile must still get each exactly once, in order.
    /// </summary>
    [Fact]
    public async Task PollingWithTheNewestCreateTimeNeverRepeatsNorMissesAMessageEvenWithinOneMillisecond()
    {
        var (aId, a) = await _web.RegisterAsync();
        var (bId, b) = await _web.RegisterAsync();
        const int PerSide = 60;

        var polled = new List<JsonObject>();
        var newest = 0L;
        async Task PollAsync()
        {
            var page = await _web.ChatAsync(a, bId, newest);
            polled.AddRange(page);
            newest = page.Count > 0 ? page[^1].Id("create_time") : newest;
        }

        using var sendersDone = new CancellationTokenSource();
        var failures = new ConcurrentBag<string>();
        var senders = Task.Run(async () =>
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 2 * PerSide), new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (i, _) =>
            {
                var reply = await _web.SendMessageAsync(i % 2 == 0 ? a : b, i % 2 == 0 ? bId : aId, $"burst {i}");
                if (reply.StatusCode() != 0)
                {
                    failures.Add(reply.StatusMsg());
                }
            });
            sendersDone.Cancel();
        });
        while (!sendersDone.IsCancellationRequested)
        {
            await PollAsync();
        }
        await senders;
        await PollAsync(); // whatever committed after the last poll during the burst

        Assert.Empty(failures);
        var all = await _web.ChatAsync(a, bId);
        Assert.Equal(2 * PerSide, all.Count);
        Assert.Equal(all.Select(m => m.Id("id")), polled.Select(m => m.Id("id")));
        var times = all.Select(m => m.Id("create_time")).ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.First < pair.Second, $"create_time {pair.Second} does not follow {pair.First}"));
        Assert.Empty(await _web.ChatAsync(b, aId, times[^1]));
        Assert.Equal(all.Skip(PerSide).Select(m => m.Id("id")), (await _web.ChatAsync(b, aId, times[PerSide - 1])).Select(m => m.Id("id")));
    }
}

/// <summary>The public chat calls the tests make again and again.</summary>
public static class MessageCalls
{
    public static Task<JsonObject> SendMessageAsync(this HttpClient web, string token, long toUserId, string content, int actionType = 1) =>
        web.ApiPostAsync("/douyin/message/action/", ("token", token), ("to_user_id", toUserId), ("action_type", actionType), ("content", content));

    public static async Task<List<JsonObject>> ChatAsync(this HttpClient web, string token, long toUserId, long? preMsgTime = null)
    {
        var reply = await web.ApiGetAsync("/douyin/message/chat/", ("token", token), ("to_user_id", toUserId), ("pre_msg_time", preMsgTime));
        Assert.Equal(0, reply.StatusCode());
        return [.. reply["message_list"]!.AsArray().Select(m => m!.AsObject())];
    }

    /// <summary>A whole conversation, page after page (an answer holds at most Messages:MaxHistoryPage).</summary>
    public static async Task<List<JsonObject>> ChatHistoryAsync(this HttpClient web, string token, long toUserId)
    {
        var all = new List<JsonObject>();
        while (await web.ChatAsync(token, toUserId, all.Count == 0 ? 0 : all[^1].Id("create_time")) is { Count: > 0 } page)
        {
            all.AddRange(page);
        }
        return all;
    }
}
