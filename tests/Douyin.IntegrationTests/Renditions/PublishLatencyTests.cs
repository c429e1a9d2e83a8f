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
/// RenditionTests, which sees the video listed from its original while ffmpeg is still encoding it.
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
}
