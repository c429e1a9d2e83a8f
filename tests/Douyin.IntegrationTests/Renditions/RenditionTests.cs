using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Relations;
using Douyin.IntegrationTests.Videos;
using RabbitMQ.Client;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>
/// Every upload gets a streaming rendition in the background (Douyin.Feed/Renditions): real files made by ffmpeg,
/// published through the edge, the job carried by RabbitMQ, the rendition stored in Blob storage and checked with
/// ffprobe and by reading its MP4 boxes, as a player would fetch it from play_url.
/// </summary>
[Collection(RenditionsCollection.Name)]
public sealed class RenditionTests(RenditionsFixture fixture)
{
    // Feed's queue (its application name) and where its failed jobs go.
    const string FeedQueue = "Douyin.Feed";
    const string DeadQueue = FeedQueue + ".dead";
    const string OriginalPrefix = RenditionCalls.OriginalPrefix;

    readonly HttpClient _web = fixture.Web;

    [Fact]
    public async Task HevcIsServedAsH264HighWithTheIndexFirst()
    {
        var (_, userId) = await PublishAsync(await RenditionMedia.HevcAsync());

        var rendition = await RenditionBytesAsync(await WaitForRenditionAsync(userId));

        Assert.True(RenditionMedia.IndexFirst(rendition), string.Join(",", RenditionMedia.TopLevelBoxes(rendition)));
        var (video, audio) = await RenditionMedia.ProbeAsync(rendition);
        Assert.Equal("h264", video["codec_name"]!.GetValue<string>());
        Assert.Equal("High", video["profile"]!.GetValue<string>());
        Assert.Equal("yuv420p", video["pix_fmt"]!.GetValue<string>());
        Assert.Equal(240, video["height"]!.GetValue<int>());
        Assert.Equal("aac", audio?["codec_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task H264WithTheIndexAtTheEndIsRemuxedWithItsVideoPacketsUnchanged()
    {
        var source = await RenditionMedia.IndexLastAsync();
        Assert.False(RenditionMedia.IndexFirst(source), "ffmpeg writes the index last unless told otherwise");
        var (_, userId) = await PublishAsync(source);

        var rendition = await RenditionBytesAsync(await WaitForRenditionAsync(userId));

        Assert.True(RenditionMedia.IndexFirst(rendition), string.Join(",", RenditionMedia.TopLevelBoxes(rendition)));
        Assert.Equal(await RenditionMedia.VideoPacketsMd5Async(source), await RenditionMedia.VideoPacketsMd5Async(rendition));
        Assert.Equal("aac", (await RenditionMedia.ProbeAsync(rendition)).Audio?["codec_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task FourKAt120FramesIsScaledTo1080LinesAnd60Frames()
    {
        var (_, userId) = await PublishAsync(await RenditionMedia.FourK120Async());

        var rendition = await RenditionBytesAsync(await WaitForRenditionAsync(userId));

        Assert.True(RenditionMedia.IndexFirst(rendition));
        var (video, audio) = await RenditionMedia.ProbeAsync(rendition);
        Assert.Equal("h264", video["codec_name"]!.GetValue<string>());
        Assert.Equal("High", video["profile"]!.GetValue<string>());
        Assert.Equal("yuv420p", video["pix_fmt"]!.GetValue<string>());
        Assert.Equal((1920, 1080), (video["width"]!.GetValue<int>(), video["height"]!.GetValue<int>()));
        Assert.Equal("60/1", video["avg_frame_rate"]!.GetValue<string>());
        Assert.Null(audio);
    }

    [Fact]
    public async Task AnEncodeThatFailsIsDeadLetteredAndTheVideoKeepsPlayingItsOriginal()
    {
        var source = await RenditionMedia.UndecodableSoundAsync();
        var (dead, _) = await fixture.QueueAsync(DeadQueue);
        var (videoId, userId) = await PublishAsync(source);

        // Tried, retried twice (Renditions:RetryCount in the fixture), then dead-lettered.
        await Eventually.HoldsAsync(async () => (await fixture.QueueAsync(DeadQueue)).Ready, n => n == dead + 1, "the failed job in " + DeadQueue, 60);

        Assert.Equal(0L, await fixture.ScalarAsync("feeddb", "SELECT count(*) FROM videos WHERE id = $1 AND rendition_path IS NOT NULL", videoId));
        var playUrl = await PlayUrlAsync(userId);
        Assert.Contains(OriginalPrefix, playUrl.AbsolutePath);
        Assert.Equal(source, await _web.GetByteArrayAsync(playUrl));
    }

    [Fact]
    public async Task ARedeliveredJobChangesNothing()
    {
        var (videoId, userId) = await PublishAsync(await RenditionMedia.IndexLastAsync());
        var playUrl = await WaitForRenditionAsync(userId);
        var etag = await ETagAsync(playUrl);
        var (dead, _) = await fixture.QueueAsync(DeadQueue);

        // The very message the outbox sent, sent again, as the broker redelivers it.
        var (eventId, content) = await RenditionJobAsync(videoId);
        await RepublishAsync(eventId, content);
        // Feed takes its queue in order, one job at a time: once a later job is done, the redelivered one was handled.
        var (_, laterUserId) = await PublishAsync(await RenditionMedia.IndexLastAsync());
        await WaitForRenditionAsync(laterUserId);

        Assert.Equal(playUrl, await PlayUrlAsync(userId));
        Assert.Equal(etag, await ETagAsync(playUrl));
        Assert.Equal(dead, (await fixture.QueueAsync(DeadQueue)).Ready);
        Assert.Equal(1L, await fixture.ScalarAsync("feeddb", "SELECT count(*) FROM integration_event_inbox WHERE event_id = $1", eventId));
    }

    [Fact]
    public async Task AJobCutOffByStoppingFeedMidEncodeIsRedoneAfterTheRestart()
    {
        var source = await RenditionMedia.SlowToEncodeAsync();
        var published = Stopwatch.StartNew();
        var (videoId, userId) = await PublishAsync(source);
        published.Stop();
        var workspace = $"douyin-rendition-{videoId}-";
        await Eventually.HoldsAsync(() => Task.FromResult(RenditionMedia.FfmpegRunning(workspace)), running => running, "ffmpeg encoding the video", 60);

        // In the feed at once, from the original, while its rendition is being made.
        Assert.True(published.Elapsed < TimeSpan.FromSeconds(5), $"publishing took {published.Elapsed}");
        var original = await PlayUrlAsync(userId);
        Assert.Contains(OriginalPrefix, original.AbsolutePath);
        Assert.Equal(source, await _web.GetByteArrayAsync(original));

        var feed = new SocialBackstage(fixture);
        await feed.StopAsync("feed");
        // The stop timeout runs out mid-encode: the job is cancelled, which kills ffmpeg, and goes back to the queue unacknowledged.
        await Eventually.HoldsAsync(() => Task.FromResult(RenditionMedia.FfmpegRunning(workspace)), running => !running, "ffmpeg killed with Feed");
        Assert.Equal(0L, await fixture.ScalarAsync("feeddb", "SELECT count(*) FROM videos WHERE id = $1 AND rendition_path IS NOT NULL", videoId));
        await Eventually.HoldsAsync(async () => (await fixture.QueueAsync(FeedQueue)).Ready, n => n == 1, "the job back in " + FeedQueue);
        var (dead, _) = await fixture.QueueAsync(DeadQueue);

        await feed.StartAsync("feed");
        var rendition = await RenditionBytesAsync(await WaitForRenditionAsync(userId));

        Assert.True(RenditionMedia.IndexFirst(rendition));
        var (video, _) = await RenditionMedia.ProbeAsync(rendition);
        Assert.Equal(("h264", "yuv420p", 720), (video["codec_name"]!.GetValue<string>(), video["pix_fmt"]!.GetValue<string>(), video["height"]!.GetValue<int>()));
        Assert.Equal(dead, (await fixture.QueueAsync(DeadQueue)).Ready);
    }

    Task<(long VideoId, long UserId)> PublishAsync(byte[] file) => _web.PublishAsNewUserAsync(file);

    Task<Uri> PlayUrlAsync(long userId) => _web.PlayUrlAsync(userId);

    Task<Uri> WaitForRenditionAsync(long userId) => _web.WaitForRenditionAsync(userId);

    Task<byte[]> RenditionBytesAsync(Uri playUrl) => _web.RenditionBytesAsync(playUrl);

    async Task<string> ETagAsync(Uri url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        using var response = await _web.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.ETag!.Tag;
    }

    /// <summary>The rendition job of a video as its outbox row holds it.</summary>
    async Task<(Guid EventId, string Content)> RenditionJobAsync(long videoId)
    {
        await using var db = await fixture.OpenFeedDbAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT event_id, content::text FROM integration_event_log WHERE event_type_name = 'VideoRenditionRequestedIntegrationEvent' AND (content->>'videoId')::bigint = $1", db)
        {
            Parameters = { new() { Value = videoId } },
        };
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no rendition job for video {videoId}");
        return (reader.GetGuid(0), reader.GetString(1));
    }

    async Task RepublishAsync(Guid eventId, string content)
    {
        await using var connection = await fixture.ConnectToBrokerAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = eventId.ToString(),
            Type = "VideoRenditionRequestedIntegrationEvent",
            ContentType = "application/json",
        };
        await channel.BasicPublishAsync("douyin_event_bus", "VideoRenditionRequestedIntegrationEvent", mandatory: true, properties, System.Text.Encoding.UTF8.GetBytes(content));
    }
}
