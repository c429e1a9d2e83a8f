using System.Diagnostics;
using System.Globalization;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;
using Xunit.Abstractions;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>
/// Publish latency by upload size, for docs/media.md: 2 and 20 MB, or the sizes DOUYIN_PUBLISH_FIGURES_MB names
/// (e.g. "2,20,200"). It asserts only that each size is published: the time is a figure of the machine it runs on (on
/// a shared one it says more about the neighbours). That publishing does not wait for the encode is asserted by
/// RenditionTests, which sees the video listed from its original while ffmpeg is still encoding it. And the time from
/// publishing until play_url serves the rendition, H.264 with the index first, of a 10 s 1080p phone-like clip that is
/// encoded and of one that is only remuxed.
/// </summary>
[Collection(RenditionsCollection.Name)]
public sealed class PublishLatencyTests(RenditionsFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<int> Sizes => [.. (Environment.GetEnvironmentVariable("DOUYIN_PUBLISH_FIGURES_MB") is { Length: > 0 } sizes ? sizes : "2,20")
        .Split(',').Select(size => int.Parse(size, CultureInfo.InvariantCulture))];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task AnUploadOfThisSizeIsPublished(int megabytes)
    {
        // Lossless 1080p, cut at the size: a file of that many bytes that really is a video.
        var file = await TestMedia.MakeAsync($"publish-{megabytes}mb.mp4",
            ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0",
             "-pix_fmt", "yuv420p", "-fs", $"{megabytes}M"]);
        var (_, token) = await fixture.Web.RegisterAsync();

        var stopwatch = Stopwatch.StartNew();
        var reply = await fixture.Web.PublishAsync(token, $"{megabytes} MB", file);
        stopwatch.Stop();

        Assert.True(reply.StatusCode() == 0, reply.StatusMsg());
        output.WriteLine($"publish of {file.Length / 1e6:0.0} MB: {stopwatch.Elapsed.TotalSeconds:0.00} s");
    }

    [Theory]
    [InlineData("HEVC 1080p30 + AAC, encoded")]
    [InlineData("H.264 High 1080p30 + AAC with the index last, remuxed")]
    public async Task APublishedVideoPlaysItsRenditionSoonAfter(string source)
    {
        var file = await TestMedia.MakeAsync(source.StartsWith("HEVC", StringComparison.Ordinal) ? "hevc-1080p-10s.mp4" : "index-last-1080p-10s.mp4",
            ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-t", "10",
             .. source.StartsWith("HEVC", StringComparison.Ordinal)
                 ? (string[])["-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1"]
                 // Not ultrafast, which writes Constrained Baseline (encoded, not remuxed); under the bitrate ceiling.
                 : ["-c:v", "libx264", "-profile:v", "high", "-preset", "superfast", "-maxrate", "4000k", "-bufsize", "8000k"],
             "-pix_fmt", "yuv420p", "-c:a", "aac"]);

        var stopwatch = Stopwatch.StartNew();
        var (_, userId) = await fixture.Web.PublishAsNewUserAsync(file);
        var published = stopwatch.Elapsed;
        var rendition = await fixture.Web.RenditionBytesAsync(await fixture.Web.WaitForRenditionAsync(userId));
        var streamable = stopwatch.Elapsed;

        Assert.True(RenditionMedia.IndexFirst(rendition), string.Join(",", RenditionMedia.TopLevelBoxes(rendition)));
        Assert.Equal("h264", (await RenditionMedia.ProbeAsync(rendition)).Video["codec_name"]!.GetValue<string>());
        output.WriteLine($"{source} ({file.Length / 1e6:0.0} MB): published in {published.TotalSeconds:0.0} s, "
            + $"play_url serves H.264 with the index first {streamable.TotalSeconds:0.0} s after the request");
    }
}
