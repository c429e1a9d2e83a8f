using System.Text.RegularExpressions;
using Douyin.IntegrationTests.Videos;

namespace Douyin.E2ETests;

[Collection(E2ECollection.Name)]
public sealed class PublishAndWatchTests(DouyinAppFixture app, BrowserFixture browser)
{
    [Fact]
    public async Task APersonSignsUpPublishesWithProgressAndWatchesTheClipFirstInTheFeed()
    {
        await using var context = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        var page = await context.NewPageAsync();

        // Anonymous browsing works: the feed opens without an account.
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Home", Exact = true })).ToHaveAttributeAsync("aria-current", "");

        var username = DouyinClient.UniqueName("pub");
        await page.SignUpAsync(username);

        // Slow the upload down so the progress bar is seen moving, as on a phone's uplink.
        var devtools = await context.NewCDPSessionAsync(page);
        await devtools.SendAsync("Network.enable");
        await devtools.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
        {
            ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = 150_000,
        });

        var title = $"Test pattern {Guid.NewGuid():N}"[..22];
        await page.StartPublishAsync(title, "clip.mp4", "video/mp4", await TestMedia.ClipAsync());
        var progress = page.Locator(".upload-progress");
        await Expect(progress).ToBeVisibleAsync();
        await Expect(progress.Locator(".percent")).ToHaveTextAsync(new Regex("^([1-9]|[1-9][0-9])%$"));
        await page.ScreenshotAsync("publish-progress");

        // Done, the client goes to the feed: the new clip is the first video, and it plays.
        await Expect(page).ToHaveURLAsync(new Uri(app.Web.BaseAddress!, "/").ToString());
        var first = page.Locator(".slide").First;
        await Expect(first.Locator(".title")).ToHaveTextAsync(title);
        await Expect(first.Locator(".author")).ToHaveTextAsync("@" + username);
        await first.WaitUntilPlayingAsync();
        await page.ScreenshotAsync("feed");

        // A tap unmutes (autoplay had to start muted).
        var unmute = first.GetByRole(AriaRole.Button, new() { Name = "Tap to unmute" });
        await unmute.ClickAsync();
        await Expect(unmute).ToBeHiddenAsync();
        Assert.False(await first.Locator("video").EvaluateAsync<bool>("video => video.muted"));
        Assert.Empty(browser.PolicyViolations);
    }

    [Fact]
    public async Task TheServersReasonIsShownWhenItRefusesAFile()
    {
        await using var context = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        var page = await context.NewPageAsync();
        await page.SignUpAsync(DouyinClient.UniqueName("ref"));

        await page.StartPublishAsync("not a video", "notes.mp4", "video/mp4", TestMedia.Text());

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Not published:");
        await Expect(page.Locator(".upload-progress")).ToBeHiddenAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/publish$"));
        await page.ScreenshotAsync("publish-refused");
    }
}
