using System.Security.Cryptography;
using Douyin.IntegrationTests.Infrastructure;

namespace Douyin.IntegrationTests.Videos;

/// <summary>
/// An upload of tens of megabytes goes through the edge and Feed like a small one (how long it takes is a figure of
/// bench/renditions.sh, not of a test).
/// </summary>
[Collection(DouyinAppCollection.Name)]
public sealed class LargeUploadTests(DouyinAppFixture fixture)
{
    [Fact]
    public async Task ATwentyMegabyteVideoIsPublishedAndServedWhole()
    {
        // Lossless 1080p, cut at 20 MB: a file of that many bytes that really is a video.
        var file = await TestMedia.MakeAsync("publish-20mb.mp4",
            ["-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0",
             "-pix_fmt", "yuv420p", "-fs", "20M"]);
        Assert.InRange(file.Length, 19_000_000, 21_000_000);
        var (userId, token) = await fixture.Web.RegisterAsync();

        var reply = await fixture.Web.PublishAsync(token, "20 MB", file);

        Assert.True(reply.StatusCode() == 0, reply.StatusMsg());
        var playUrl = Assert.Single(await fixture.Web.PublishListAsync(userId, token))!["play_url"]!.GetValue<string>();
        // This app makes no renditions: play_url is the upload, stored whole.
        Assert.Equal(SHA256.HashData(file), SHA256.HashData(await fixture.Web.GetByteArrayAsync(playUrl)));
    }
}
