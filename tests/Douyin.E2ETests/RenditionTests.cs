using System.Text.RegularExpressions;
using Douyin.IntegrationTests.Renditions;
using Douyin.IntegrationTests.Videos;

namespace Douyin.E2ETests;

/// <summary>
/// The browser client while Feed makes an upload's streaming rendition (docs/media.md, "Seen in the dev loop"): on an
/// app of its own with renditions on (the shared app runs without them).
/// </summary>
[Collection(E2ERenditionsCollection.Name)]
public sealed class RenditionTests(RenditionsFixture app, BrowserFixture browser)
{
    [Fact]
    public async Task AClipShowsProcessingUntilItsRenditionIsStoredThenPlaysIt()
    {
        // HEVC, as an iPhone records: encoded to H.264, which takes ffmpeg a few seconds even on idle cores.
        var hevc = await TestMedia.MakeAsync("hevc-720p-10s.mp4",
            ["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30", "-t", "10", "-c:v", "libx265", "-preset", "ultrafast",
             "-x265-params", "log-level=error", "-tag:v", "hvc1", "-pix_fmt", "yuv420p"]);
        await using var context = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        var page = await context.NewPageAsync();
        var userId = long.Parse(await page.SignUpAsync(DouyinClient.UniqueName("hevc")));

        var title = $"HEVC {Guid.NewGuid():N}"[..16];
        await page.StartPublishAsync(title, "hevc.mp4", "video/mp4", hevc);
        await Expect(page).ToHaveURLAsync(new Uri(app.Web.BaseAddress!, "/").ToString());

        // The feed lists it at once, from the upload as it came, with the badge on its player.
        var slide = page.Slide(title);
        var player = slide.Locator("video");
        var videoId = await slide.GetAttributeAsync("data-video-id");
        await Expect(player).ToHaveAttributeAsync("src", new Regex($"/media/videos/{videoId}\\.mp4$"));
        var badge = slide.GetByRole(AriaRole.Status);
        await Expect(badge).ToHaveTextAsync("Processing");
        await page.ScreenshotAsync("processing");

        // Once Feed has stored the rendition the badge goes and the player plays it. The client asks every 3 s for up
        // to two minutes; the encode on this shared machine takes up to a minute or so.
        await Expect(badge).ToBeHiddenAsync(new() { Timeout = 150_000 });
        await Expect(player).ToHaveAttributeAsync("src", new Regex($"/media/renditions/{videoId}\\.mp4$"));
        await slide.WaitUntilPlayingAsync();
        // And it is what the API now names: the rendition was stored, not guessed.
        var listed = await app.Web.ApiGetAsync("/douyin/publish/list/", ("user_id", userId));
        var playUrl = new Uri(Assert.Single(listed["video_list"]!.AsArray())!["play_url"]!.GetValue<string>());
        Assert.Equal($"/media/renditions/{videoId}.mp4", playUrl.AbsolutePath);
        Assert.Empty(browser.PolicyViolations);
    }
}
