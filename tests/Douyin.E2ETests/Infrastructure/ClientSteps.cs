using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Douyin.E2ETests.Infrastructure;

/// <summary>What a person does with the client, step by step, through its screens only.</summary>
public static partial class ClientSteps
{
    /// <summary>Screenshots go to DOUYIN_SCREENSHOTS when set (an absolute path: tests run in their output folder), else beside the tests.</summary>
    static readonly string s_screenshots = Environment.GetEnvironmentVariable("DOUYIN_SCREENSHOTS") is { Length: > 0 } configured
        ? Path.GetFullPath(configured)
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public static Task ScreenshotAsync(this IPage page, string name)
    {
        Directory.CreateDirectory(s_screenshots);
        return page.ScreenshotAsync(new() { Path = Path.Combine(s_screenshots, name + ".png") });
    }

    /// <summary>Signs up on the login screen and returns the new user's id, read from the profile's address.</summary>
    public static async Task<string> SignUpAsync(this IPage page, string username, string password = "secret-pw")
    {
        await page.GotoAsync("/login");
        await page.GetByRole(AriaRole.Button, new() { Name = "New here? Sign up" }).ClickAsync();
        await page.GetByPlaceholder("Username").FillAsync(username);
        await page.GetByPlaceholder("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign up", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/$"));

        await page.GetByRole(AriaRole.Link, new() { Name = "Me", Exact = true }).ClickAsync();
        await Expect(page.Locator(".card .name")).ToHaveTextAsync(username);
        return ProfileUrl().Match(page.Url).Groups[1].Value;
    }

    [GeneratedRegex("/users/([0-9]+)$")]
    public static partial Regex ProfileUrl();

    /// <summary>Publishes a file from the publish screen; the caller waits for what follows (the feed, or a refusal).</summary>
    public static async Task StartPublishAsync(this IPage page, string title, string fileName, string mimeType, byte[] content)
    {
        await page.GetByRole(AriaRole.Link, new() { Name = "Publish", Exact = true }).ClickAsync();
        await page.GetByLabel("Video file").SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = mimeType, Buffer = content });
        await page.GetByLabel("Title").FillAsync(title);
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
    }

    /// <summary>The slide of the feed (or of a profile's viewer) showing a video titled so.</summary>
    public static ILocator Slide(this IPage page, string title) =>
        page.Locator(".slide").Filter(new() { Has = page.Locator(".title", new() { HasText = title }) });

    /// <summary>Waits until the slide's video really plays: its time advances, it is not just a poster on screen.</summary>
    public static async Task WaitUntilPlayingAsync(this ILocator slide)
    {
        var video = await slide.Locator("video").ElementHandleAsync();
        await slide.Page.WaitForFunctionAsync("video => video.currentTime > 0.2 && !video.paused", video);
    }
}
