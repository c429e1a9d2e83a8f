using System.Diagnostics;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;
using Npgsql;

namespace Douyin.IntegrationTests.Videos;

[Collection(DouyinAppCollection.Name)]
public sealed class PublishTests(DouyinAppFixture fixture)
{
    readonly HttpClient _web = fixture.Web;

    [Fact]
    public async Task AShortClipIsPublishedWithinTheClientsTimeoutAndListedWithEveryField()
    {
        var (userId, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();
        Assert.InRange(clip.Length, 20_000, 2_000_000);

        var stopwatch = Stopwatch.StartNew();
        var reply = await _web.PublishAsync(token, "my first clip", clip);
        stopwatch.Stop();

        Assert.Equal(0, reply.StatusCode());
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"publishing took {stopwatch.Elapsed}");

        var video = Assert.Single(await _web.PublishListAsync(userId, token))!.AsObject();
        foreach (var field in new[] { "id", "author", "play_url", "cover_url", "favorite_count", "comment_count", "is_favorite", "title" })
        {
            Assert.True(video.ContainsKey(field), $"video lacks {field}");
        }
        Assert.Equal("my first clip", video["title"]!.GetValue<string>());
        Assert.Equal(userId, video["author"]!["id"]!.GetValue<long>());
        Assert.Equal(11, video["author"]!.AsObject().Count);
        Assert.StartsWith("http", video["author"]!["avatar"]!.GetValue<string>());
        Assert.Equal(0, video["favorite_count"]!.GetValue<long>());
        Assert.False(video["is_favorite"]!.GetValue<bool>());

        // The URLs are absolute, on the edge the client used, and serve the stored media.
        var playUrl = new Uri(video["play_url"]!.GetValue<string>());
        var coverUrl = new Uri(video["cover_url"]!.GetValue<string>());
        Assert.Equal(_web.BaseAddress!.Authority, playUrl.Authority);
        using var play = await _web.GetAsync(playUrl);
        Assert.Equal("video/mp4", play.Content.Headers.ContentType?.MediaType);
        Assert.Equal(clip, await play.Content.ReadAsByteArrayAsync());
        using var cover = await _web.GetAsync(coverUrl);
        Assert.Equal("image/jpeg", cover.Content.Headers.ContentType?.MediaType);
        var jpeg = await cover.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xFF, 0xD8], jpeg[..2]);
    }

    [Fact]
    public async Task TokenAndTitleMayComeAfterTheFileOrInTheQueryString()
    {
        var (userId, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();

        Assert.Equal(0, (await _web.PublishAsync(token, "file first", clip, fileFirst: true)).StatusCode());
        Assert.Equal(0, (await _web.PublishAsync(token, "in the query", clip, credentialsInQuery: true)).StatusCode());

        var titles = (await _web.PublishListAsync(userId)).Select(v => v!["title"]!.GetValue<string>()).ToList();
        Assert.Equal(["in the query", "file first"], titles); // newest first
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "text", "not a video" },
        { "png", "image" },
        { "bad-token", "token" },
        { "no-token", "token" },
        { "no-title", "title" },
        { "long-title", "title" },
        { "no-file", "missing" },
        { "avi", "MP4 or WebM" },
        { "hls", "MP4 or WebM" },
        { "concat", "MP4 or WebM" },
        { "wide", "8192x64" },
        { "fast", "frames a second" },
        { "streams", "13 streams" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task ARefusedUploadSaysWhyAndLeavesNothingBehind(string @case, string reason)
    {
        var (userId, token) = await _web.RegisterAsync();
        var blobsBefore = await fixture.ListMediaBlobsAsync();
        var clip = await TestMedia.ClipAsync();

        var reply = @case switch
        {
            "text" => await _web.PublishAsync(token, "renamed text", TestMedia.Text(), "notes.mp4"),
            "png" => await _web.PublishAsync(token, "renamed image", await TestMedia.PngAsync(), "frame.mp4"),
            "bad-token" => await _web.PublishAsync(token + "x", "title", clip),
            "no-token" => await _web.PublishAsync(null, "title", clip),
            "no-title" => await _web.PublishAsync(token, null, clip),
            "long-title" => await _web.PublishAsync(token, new string('字', 101), clip),
            "no-file" => await _web.PublishAsync(token, "title", []),
            "avi" => await _web.PublishAsync(token, "avi", await TestMedia.AviAsync(), "clip.avi"),
            "hls" => await _web.PublishAsync(token, "playlist", TestMedia.FilePlaylist(), "clip.mp4"),
            "concat" => await _web.PublishAsync(token, "concat", TestMedia.ConcatScript(), "clip.mp4"),
            "wide" => await _web.PublishAsync(token, "wide", await TestMedia.WideAsync()),
            "fast" => await _web.PublishAsync(token, "fast", await TestMedia.FastAsync()),
            "streams" => await _web.PublishAsync(token, "streams", await TestMedia.ManyStreamsAsync()),
            _ => throw new ArgumentOutOfRangeException(nameof(@case)),
        };

        Assert.NotEqual(0, reply.StatusCode());
        Assert.Contains(reason, reply.StatusMsg(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, await fixture.CountVideosAsync(userId));
        Assert.Equal(blobsBefore.Order(), (await fixture.ListMediaBlobsAsync()).Order());
    }

    [Fact]
    public async Task AHundredCharacterTitleIsAccepted()
    {
        var (_, token) = await _web.RegisterAsync();
        var reply = await _web.PublishAsync(token, new string('字', 100), await TestMedia.ClipAsync());
        Assert.Equal(0, reply.StatusCode());
    }

    [Fact]
    public async Task PublishingAnnouncesVideoPublishedThroughTheOutbox()
    {
        var (userId, token) = await _web.RegisterAsync();
        Assert.Equal(0, (await _web.PublishAsync(token, "announced", await TestMedia.ClipAsync())).StatusCode());
        var videoId = (await _web.PublishListAsync(userId))[0]!["id"]!.GetValue<long>();

        // Committed with the row, then published to RabbitMQ (state 2) right after the commit or by the relay.
        await using var db = await fixture.OpenFeedDbAsync();
        await using var command = new NpgsqlCommand(
            "select state from integration_event_log where event_type_name = 'VideoPublishedIntegrationEvent' and (content->>'videoId')::bigint = $1 and (content->>'authorId')::bigint = $2",
            db) { Parameters = { new() { Value = videoId }, new() { Value = userId } } };
        await Eventually.HoldsAsync(() => command.ExecuteScalarAsync(), state => state is 2, "the VideoPublished event to be published");
    }

    [Fact]
    public async Task WithRenditionsOffPublishingAsksForNoneAndServesTheUpload()
    {
        // This collection's Feed runs with Renditions:Enabled=false (DouyinAppFixture); the job is written in the same
        // transaction as the video, so its absence is final once the publish has answered.
        var (userId, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();
        Assert.Equal(0, (await _web.PublishAsync(token, "as it came", clip)).StatusCode());
        var video = (await _web.PublishListAsync(userId))[0]!;
        var videoId = video["id"]!.GetValue<long>();

        Assert.Equal(1L, await fixture.ScalarAsync("feeddb",
            "select count(*) from integration_event_log where event_type_name = 'VideoPublishedIntegrationEvent' and (content->>'videoId')::bigint = $1", videoId));
        Assert.Equal(0L, await fixture.ScalarAsync("feeddb",
            "select count(*) from integration_event_log where event_type_name = 'VideoRenditionRequestedIntegrationEvent' and (content->>'videoId')::bigint = $1", videoId));
        Assert.Equal(clip, await _web.GetByteArrayAsync(video["play_url"]!.GetValue<string>()));
    }

    [Fact]
    public async Task TheAuthorsWorkCountGrowsWithEachPublishedVideo()
    {
        var (userId, token) = await _web.RegisterAsync();
        var clip = await TestMedia.ClipAsync();
        Assert.Equal(0, (await _web.PublishAsync(token, "one", clip)).StatusCode());
        Assert.Equal(0, (await _web.PublishAsync(token, "two", clip)).StatusCode());

        // Social counts VideoPublished events asynchronously.
        await Eventually.HoldsAsync(() => _web.UserAsync(token, userId), u => u.Long("work_count") == 2, "work_count to reach 2");
        Assert.All(await _web.PublishListAsync(userId), v => Assert.Equal(2, v!["author"]!["work_count"]!.GetValue<long>()));
    }
}
