using System.Text.Json.Nodes;
using Aspire.Hosting.Testing;
using Douyin.Feed.Videos;
using Douyin.IntegrationTests.Infrastructure;
using Npgsql;

namespace Douyin.IntegrationTests.Videos;

[Collection(DouyinAppCollection.Name)]
public sealed class FeedTests(DouyinAppFixture fixture)
{
    const int PageSize = 30;
    readonly HttpClient _web = fixture.Web;

    /// <summary>
    /// 100 videos straight into feeddb, in a random whole-second window of 2001 (so runs sharing a database do not
    /// meet), four to a millisecond so pages must not split a millisecond. Returns them newest first and the
    /// window's exclusive end in milliseconds.
    /// </summary>
    async Task<(List<long> Ids, long WindowEndMs, long AuthorId)> InsertHundredVideosAsync()
    {
        var (authorId, _) = await _web.RegisterAsync();
        var windowEndMs = (978_307_200L + Random.Shared.NextInt64(0, 30_000_000)) * 1000;
        var videos = Enumerable.Range(0, 100)
            .Select(i => (Id: Random.Shared.NextInt64(1L << 40, 1L << 62), CreatedAtMs: windowEndMs - 1 - i / 4 * 7))
            .OrderByDescending(v => v.CreatedAtMs).ThenByDescending(v => v.Id)
            .ToList();

        await using var db = await fixture.OpenFeedDbAsync();
        await using var batch = new NpgsqlBatch(db);
        foreach (var (id, createdAtMs) in videos)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "insert into videos (id, author_id, title, play_path, cover_path, favorite_count, comment_count, created_at) values ($1, $2, $3, $4, $5, 0, 0, $6)")
            {
                Parameters =
                {
                    new() { Value = id }, new() { Value = authorId }, new() { Value = $"seeded {id}" },
                    new() { Value = $"/media/videos/{id}.mp4" }, new() { Value = $"/media/covers/{id}.jpg" },
                    new() { Value = DateTimeOffset.FromUnixTimeMilliseconds(createdAtMs) },
                },
            });
        }
        await batch.ExecuteNonQueryAsync();
        // Rows written behind Feed's back: the cached timeline learns of them only by rebuilding.
        await fixture.FlushRedisAsync();
        return ([.. videos.Select(v => v.Id)], windowEndMs, authorId);
    }

    async Task<(List<long> Ids, long NextTime)> PageAsync(long latestTime, string? token = null)
    {
        var reply = await _web.ApiGetAsync("/douyin/feed/", ("latest_time", latestTime), ("token", token));
        Assert.Equal(0, reply.StatusCode());
        var list = reply["video_list"]!.AsArray();
        Assert.InRange(list.Count, 0, PageSize);
        return ([.. list.Select(v => v!["id"]!.GetValue<long>())], reply["next_time"]!.GetValue<long>());
    }

    async Task<List<long>> ReadWindowAsync(long windowEndMs, int count)
    {
        var seen = new List<long>();
        var cursor = windowEndMs;
        while (seen.Count < count)
        {
            var (ids, next) = await PageAsync(cursor);
            Assert.NotEmpty(ids);
            Assert.True(next < cursor, "next_time must move back");
            seen.AddRange(ids);
            cursor = next;
        }
        return seen;
    }

    [Fact]
    public async Task PagingThroughAHundredVideosWithNextTimeHasNoGapsOrRepeats()
    {
        var (expected, windowEndMs, _) = await InsertHundredVideosAsync();

        var seen = await ReadWindowAsync(windowEndMs, expected.Count);

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(expected, seen.Take(expected.Count));
    }

    [Fact]
    public async Task TheFeedIsStillCorrectAfterRedisIsFlushedAndConcurrentColdReadsAgree()
    {
        var (expected, windowEndMs, _) = await InsertHundredVideosAsync();
        var warm = await ReadWindowAsync(windowEndMs, expected.Count);

        await fixture.FlushRedisAsync();
        var cold = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => PageAsync(windowEndMs)));
        var afterFlush = await ReadWindowAsync(windowEndMs, expected.Count);

        Assert.All(cold, page => Assert.Equal(cold[0].Ids, page.Ids));
        Assert.Equal(expected.Take(cold[0].Ids.Count), cold[0].Ids);
        Assert.Equal(warm, afterFlush);
        Assert.Equal(expected, afterFlush.Take(expected.Count));
    }

    [Fact]
    public async Task ATimelineLostWithoutItsFloorIsRebuiltNotServedEmpty()
    {
        var (expected, windowEndMs, _) = await InsertHundredVideosAsync();
        await ReadWindowAsync(windowEndMs, expected.Count);

        // The set gone but a floor of 0 ("the set holds every video") left behind, as a partial flush leaves it.
        await using (var redis = await fixture.ConnectToRedisAsync())
        {
            await redis.GetDatabase().KeyDeleteAsync(VideoTimeline.Key);
            await redis.GetDatabase().StringSetAsync(VideoTimeline.FloorKey, 0L);
        }

        Assert.Equal(expected, (await ReadWindowAsync(windowEndMs, expected.Count)).Take(expected.Count));
    }

    [Fact]
    public async Task LatestTimeIsSecondsBelowTenToTheElevenAndMillisecondsAbove()
    {
        var (expected, windowEndMs, _) = await InsertHundredVideosAsync();

        var inSeconds = await PageAsync(windowEndMs / 1000);
        var inMilliseconds = await PageAsync(windowEndMs);
        Assert.Equal(inMilliseconds.Ids, inSeconds.Ids);
        Assert.Equal(expected[0], inSeconds.Ids[0]);
        // next_time is always milliseconds: the oldest video of the page.
        Assert.True(inSeconds.NextTime > 100_000_000_000);
        Assert.True(inSeconds.NextTime < windowEndMs);

        // 99 999 999 999 read as seconds is the year 5138: the newest videos, like no latest_time at all.
        Assert.Equal((await PageAsync(0)).Ids, (await PageAsync(99_999_999_999)).Ids);
    }

    [Fact]
    public async Task AnExhaustedFeedIsEmptyWithNextTimeNowSoTheClientWrapsAround()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // 10^11 ms is March 1973, before any video.
        var (ids, next) = await PageAsync(100_000_000_000);

        Assert.Empty(ids);
        Assert.InRange(next, before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1000);
    }

    [Fact]
    public async Task ConcurrentReadsOfTheNewestPageShareTheTimelineReadAndAllLeadWithTheNewestVideo()
    {
        var (authorId, authorToken) = await _web.RegisterAsync();
        Assert.Equal(0, (await _web.PublishAsync(authorToken, "newest for all", await TestMedia.ClipAsync())).StatusCode());
        var videoId = (await _web.PublishListAsync(authorId))[0]!["id"]!.GetValue<long>();

        // Viewers opening the app at once: their newest-page reads of the Redis timeline are shared in flight.
        var pages = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => _web.ApiGetAsync("/douyin/feed/")));

        Assert.All(pages, page =>
        {
            Assert.Equal(0, page.StatusCode());
            var videos = page["video_list"]!.AsArray();
            Assert.Equal(videoId, videos[0]!["id"]!.GetValue<long>());
            Assert.Equal(pages[0]["video_list"]!.AsArray().Count, videos.Count);
        });
    }

    [Fact]
    public async Task ANewVideoLeadsTheFeedAndIsFavoriteFollowsTheViewersStoredLikes()
    {
        var (authorId, authorToken) = await _web.RegisterAsync();
        var (viewerId, viewerToken) = await _web.RegisterAsync();
        Assert.Equal(0, (await _web.PublishAsync(authorToken, "newest", await TestMedia.ClipAsync())).StatusCode());
        var videoId = (await _web.PublishListAsync(authorId))[0]!["id"]!.GetValue<long>();

        await using (var db = await fixture.OpenFeedDbAsync())
        await using (var like = new NpgsqlCommand("insert into favorites (user_id, video_id, created_at) values ($1, $2, now())", db)
        {
            Parameters = { new() { Value = viewerId }, new() { Value = videoId } },
        })
        {
            await like.ExecuteNonQueryAsync();
        }

        JsonObject First(JsonObject reply) => reply["video_list"]!.AsArray()[0]!.AsObject();
        var asViewer = First(await _web.ApiGetAsync("/douyin/feed/", ("token", viewerToken)));
        var asAuthor = First(await _web.ApiGetAsync("/douyin/feed/", ("token", authorToken)));
        var anonymous = await _web.ApiGetAsync("/douyin/feed/");
        var badToken = await _web.ApiGetAsync("/douyin/feed/", ("token", "not-a-token"));

        Assert.Equal(videoId, asViewer["id"]!.GetValue<long>());
        Assert.True(asViewer["is_favorite"]!.GetValue<bool>());
        Assert.False(asAuthor["is_favorite"]!.GetValue<bool>());
        Assert.Equal(authorId, asViewer["author"]!["id"]!.GetValue<long>());
        foreach (var reply in new[] { anonymous, badToken })
        {
            Assert.Equal(0, reply.StatusCode());
            Assert.Equal(videoId, First(reply)["id"]!.GetValue<long>());
            Assert.False(First(reply)["is_favorite"]!.GetValue<bool>());
        }
        var listed = (await _web.PublishListAsync(authorId, viewerToken))[0]!;
        Assert.True(listed["is_favorite"]!.GetValue<bool>());
    }
}
