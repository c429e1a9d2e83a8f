#:package Microsoft.Playwright
#:property PublishAot=false
// Screenshots of the Aspire dashboard for docs/dev-loop.md, taken in headless Chromium (Debian's, as the E2E tests use).
// eng/dashboard-screenshots.sh starts the AppHost and calls this with the dashboard's login URL and web's address:
//   dotnet run eng/dashboard-screenshots.cs -- <login-url> <web-url> <output-directory>
// The dashboard is Blazor Server: a page is ready when its content has rendered over the circuit, not on "load", so each
// shot waits for the text it shows. Before the shots, a few requests give the telemetry pages something to show, one
// of them (a comment) under a trace id chosen here, whose trace crosses web, feed and social.
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: dotnet run eng/dashboard-screenshots.cs -- <login-url> <web-url> <output-directory>");
    return 2;
}
var login = new Uri(args[0]);
var dashboard = new Uri(login.GetLeftPart(UriPartial.Authority));
using var web = new HttpClient { BaseAddress = new Uri(args[1]) };
var output = Directory.CreateDirectory(args[2]).FullName;

var traceId = await MakeTrafficAsync(web);

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 820 }, ColorScheme = ColorScheme.Light });
page.SetDefaultTimeout(60_000);

// The token URL sets the dashboard's cookie and lands on Resources.
await page.GotoAsync(login.ToString());
await WaitForTextAsync("web");
// Every resource Running (the services Healthy too): none still starting or waiting.
await page.WaitForFunctionAsync("() => { const t = document.body.innerText; return (t.match(/Running/g) || []).length >= 12 && !/Starting|Waiting|Not started/.test(t); }");
await ShotAsync("dashboard-resources.png");

await page.GotoAsync(new Uri(dashboard, "/consolelogs/resource/pg").ToString());
await WaitForTextAsync("database system is ready to accept connections");
await ShotAsync("dashboard-console-pg.png");

await page.GotoAsync(new Uri(dashboard, "/structuredlogs").ToString());
// The grid is virtualised: wait for rendered rows (the users the traffic registered), not for placeholders.
await page.WaitForFunctionAsync("() => document.body.innerText.includes('Registered user')");
await ShotAsync("dashboard-structured-logs.png");

await page.GotoAsync(new Uri(dashboard, $"/traces/detail/{traceId}").ToString());
await page.WaitForFunctionAsync("() => { const t = document.body.innerText; return ['web', 'feed', 'social', 'postgresql'].every(s => t.includes(s)); }");
await ShotAsync("dashboard-trace.png");

await page.GotoAsync(new Uri(dashboard, "/metrics/resource/feed?meter=Microsoft.AspNetCore.Hosting&instrument=http.server.request.duration").ToString());
await WaitForTextAsync("http.server.request.duration");
await page.WaitForSelectorAsync(".plotly, svg.main-svg");
await ShotAsync("dashboard-metrics.png");
return 0;

Task WaitForTextAsync(string text) => page.GetByText(text).First.WaitForAsync();

async Task ShotAsync(string file)
{
    // Let Blazor finish the render it started (the grids fill in a frame or two after their text).
    await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
    await page.ScreenshotAsync(new() { Path = Path.Combine(output, file), Type = ScreenshotType.Png });
    Console.WriteLine($"{file}: {new FileInfo(Path.Combine(output, file)).Length / 1024} KB");
}

// Two users, a clip published by one, and a comment of the other under a known trace id: Feed checks the video in
// PostgreSQL, queues the write on RabbitMQ and renders the commenter's card from Social.
static async Task<string> MakeTrafficAsync(HttpClient web)
{
    var author = await RegisterAsync(web);
    var viewer = await RegisterAsync(web);
    var clip = Path.Combine(Path.GetTempPath(), $"douyin-screenshot-{Guid.NewGuid():N}.mp4");
    using (var ffmpeg = Process.Start("ffmpeg", ["-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=15", "-pix_fmt", "yuv420p", clip]))
    {
        await ffmpeg.WaitForExitAsync();
    }
    using (var form = new MultipartFormDataContent { { new StringContent(author.Token), "token" }, { new StringContent("dashboard clip"), "title" }, { new ByteArrayContent(await File.ReadAllBytesAsync(clip)), "data", "clip.mp4" } })
    {
        await Ok(await web.PostAsync("/douyin/publish/action/", form));
    }
    File.Delete(clip);
    var list = await Ok(await web.GetAsync($"/douyin/publish/list/?user_id={author.Id}&token={viewer.Token}"));
    var videoId = list["video_list"]![0]!["id"]!.GetValue<long>();

    var traceId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    using var comment = new HttpRequestMessage(HttpMethod.Post, $"/douyin/comment/action/?token={viewer.Token}&video_id={videoId}&action_type=1&comment_text=traced");
    comment.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}-01");
    await Ok(await web.SendAsync(comment));
    return traceId;
}

static async Task<(long Id, string Token)> RegisterAsync(HttpClient web)
{
    var name = $"shot{Guid.NewGuid():N}"[..20];
    var reply = await Ok(await web.PostAsync($"/douyin/user/register/?username={name}&password=secret-pw", null));
    return (reply["user_id"]!.GetValue<long>(), reply["token"]!.GetValue<string>());
}

// The /douyin API answers 200 with status_code 0 on success.
static async Task<JsonObject> Ok(HttpResponseMessage response)
{
    var reply = JsonNode.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!.AsObject();
    return reply["status_code"]!.GetValue<int>() == 0 ? reply : throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {reply}");
}
