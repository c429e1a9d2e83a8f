using System.Diagnostics;
using System.Globalization;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;
using Xunit.Abstractions;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>
/// Publishing does not wait for the rendition: an upload is checked, given a cover, stored and answered in a time that
/// follows its size, not its encode. The sizes are 2 and 20 MB; DOUYIN_PUBLISH_FIGURES_MB (e.g. "2,20,200") measures
/// others for docs/media.md. Uploads of 20 MB or less must answer within 3 s.
/// </summary>
[Collection(RenditionsCollection.Name)]
public sealed class PublishLatencyTests(RenditionsFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<int> Sizes => [.. (Environment.GetEnvironmentVariable("DOUYIN_PUBLISH_FIGURES_MB") is { Length: > 0 } sizes ? sizes : "2,20")
        .Split(',').Select(size => int.Parse(size, CultureInfo.InvariantCulture))];

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task PublishingAnswersWithoutWaitingForTheEncode(int megabytes)
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
        if (megabytes <= 20)
        {
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"publishing {megabytes} MB took {stopwatch.Elapsed}");
        }
    }
}
