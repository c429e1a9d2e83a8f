using Douyin.IntegrationTests.Videos;

namespace Douyin.E2ETests;

[Collection(E2ECollection.Name)]
public sealed class LikesAndCommentsTests(DouyinAppFixture app, BrowserFixture browser)
{
    [Fact]
    public async Task ALikeAndCommentsChangeTheCountsAndLast()
    {
        await using var context = await browser.NewPhoneAsync(app.Web.BaseAddress!);
        var page = await context.NewPageAsync();
        var userId = await page.SignUpAsync(DouyinClient.UniqueName("fan"));
        var title = $"Like me {Guid.NewGuid():N}"[..18];
        await page.StartPublishAsync(title, "clip.mp4", "video/mp4", await TestMedia.ClipAsync());
        var slide = page.Slide(title);
        await Expect(slide).ToBeVisibleAsync();

        // Like: the heart turns on and the count goes 0 -> 1, and stays so after a reload (the server has it).
        var like = slide.GetByRole(AriaRole.Button, new() { Name = "Like" });
        await Expect(like).ToContainTextAsync("0");
        // The heart turns on at once; the reload below must wait for the request itself, or it would cancel it.
        await page.RunAndWaitForResponseAsync(() => like.ClickAsync(), r => r.Url.Contains("/douyin/favorite/action/"));
        await Expect(like).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(like).ToContainTextAsync("1");
        // The write queue applies a like within about a second of its answer: reload until the server shows it.
        await ReloadUntilAsync(page, async () => await like.GetAttributeAsync("aria-pressed") == "true" && (await like.TextContentAsync())?.Contains('1') == true);

        // Comments: post two, newest first, the count follows; delete one's own.
        var comments = slide.GetByRole(AriaRole.Button, new() { Name = "Comments" });
        await comments.ClickAsync();
        var sheet = page.GetByRole(AriaRole.Dialog, new() { Name = "Comments" });
        await Expect(sheet.Locator(".hint")).ToHaveTextAsync("No comments yet. Be the first.");
        var input = sheet.GetByPlaceholder("Add a comment…");
        await input.FillAsync("First!");
        await input.PressAsync("Enter");
        await Expect(sheet.Locator(".comment .content")).ToHaveTextAsync(["First!"]); // posted before typing the next, as a person would
        await input.FillAsync("What a test pattern");
        await sheet.GetByRole(AriaRole.Button, new() { Name = "Post" }).ClickAsync();
        await Expect(sheet.Locator(".comment .content")).ToHaveTextAsync(["What a test pattern", "First!"]);
        await Expect(sheet.Locator("h2")).ToHaveTextAsync("2 comments");
        await Expect(comments).ToContainTextAsync("2");
        await page.ScreenshotAsync("comments");

        await page.RunAndWaitForResponseAsync(
            () => sheet.Locator(".comment", new() { HasText = "First!" }).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync(),
            r => r.Url.Contains("/douyin/comment/action/"));
        await Expect(sheet.Locator(".comment .content")).ToHaveTextAsync(["What a test pattern"]);
        await Expect(sheet.Locator("h2")).ToHaveTextAsync("1 comments");
        await sheet.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        await Expect(comments).ToContainTextAsync("1");

        // The server kept both: a fresh load of the list shows the one left (once the write queue has applied them).
        await ReloadUntilAsync(page, async () => (await comments.TextContentAsync())?.Contains('1') == true);
        await comments.ClickAsync();
        await Expect(sheet.Locator(".comment .content")).ToHaveTextAsync(["What a test pattern"]);

        // The liked video is on the profile's Likes tab.
        await page.GotoAsync($"/users/{userId}");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Likes" }).ClickAsync();
        await Expect(page.Locator(".grid .tile")).ToHaveCountAsync(1);
        await page.Locator(".grid .tile").ClickAsync();
        await Expect(page.Slide(title)).ToBeVisibleAsync();
        Assert.Empty(browser.PolicyViolations);
    }

    static async Task ReloadUntilAsync(IPage page, Func<Task<bool>> shown)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            await page.ReloadAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            if (await shown())
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, "The server did not show the write within 15 s.");
            await Task.Delay(250);
        }
    }
}
