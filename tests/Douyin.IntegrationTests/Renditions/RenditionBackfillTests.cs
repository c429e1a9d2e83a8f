using Aspire.Hosting.Testing;
using System.Diagnostics;
using Douyin.IntegrationTests.Infrastructure;
using Npgsql;

namespace Douyin.IntegrationTests.Renditions;

/// <summary>
/// The operator's backfill (Douyin.Feed/Renditions/RenditionCommands.cs) run as the operator runs it: Feed's built
/// assembly as a process of its own, <c>dotnet Douyin.Feed.dll renditions backfill</c>, with the test app's database
/// connection string, while the app's Feed (renditions off when the videos were published) relays and makes the jobs.
/// </summary>
[Collection(BackfillCollection.Name)]
public sealed class RenditionBackfillTests(BackfillFixture fixture)
{
    const string JobsOfVideo = "SELECT count(*) FROM integration_event_log WHERE event_type_name = 'VideoRenditionRequestedIntegrationEvent' AND (content->>'videoId')::bigint = $1";
    const string AllJobs = "SELECT count(*) FROM integration_event_log WHERE event_type_name = 'VideoRenditionRequestedIntegrationEvent'";

    readonly HttpClient _web = fixture.Web;

    [Fact]
    public async Task VideosPublishedWithoutRenditionsGetTheirJobOnceAndTheirPlayUrlSwitches()
    {
        var first = await _web.PublishAsNewUserAsync(await RenditionMedia.HevcAsync());
        var second = await _web.PublishAsNewUserAsync(await RenditionMedia.IndexLastAsync());
        Assert.Equal(0L, await fixture.ScalarAsync("feeddb", JobsOfVideo, first.VideoId));

        // One video per batch: each is a transaction of its own, as a large backfill's are.
        var run = await RunBackfillAsync(await FeedSettingsAsync(), "--batch", "1");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("batch 2,", run.Output);
        Assert.Matches(@"renditions backfill: \d+ rendition jobs enqueued", run.Output);
        foreach (var (videoId, userId) in new[] { first, second })
        {
            Assert.Equal(1L, await fixture.ScalarAsync("feeddb", JobsOfVideo, videoId));
            var rendition = await _web.RenditionBytesAsync(await _web.WaitForRenditionAsync(userId));
            Assert.True(RenditionMedia.IndexFirst(rendition), string.Join(",", RenditionMedia.TopLevelBoxes(rendition)));
            var (video, _) = await RenditionMedia.ProbeAsync(rendition);
            Assert.Equal(("h264", "yuv420p"), (video["codec_name"]!.GetValue<string>(), video["pix_fmt"]!.GetValue<string>()));
        }

        var jobs = await fixture.ScalarAsync("feeddb", AllJobs);
        var again = await RunBackfillAsync(await FeedSettingsAsync());

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("renditions backfill: 0 rendition jobs enqueued", again.Output);
        Assert.Equal(jobs, await fixture.ScalarAsync("feeddb", AllJobs));
    }

    [Fact]
    public async Task ADryRunCountsTheVideosAndChangesNothing()
    {
        var (videoId, userId) = await _web.PublishAsNewUserAsync(await RenditionMedia.HevcAsync());
        var jobs = await fixture.ScalarAsync("feeddb", AllJobs);

        var run = await RunBackfillAsync(await FeedSettingsAsync(), "--dry-run");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"renditions backfill \(dry run\): [1-9]\d* videos have no rendition and no job; nothing was changed", run.Output);
        Assert.Equal(jobs, await fixture.ScalarAsync("feeddb", AllJobs));
        Assert.Equal(0L, await fixture.ScalarAsync("feeddb", JobsOfVideo, videoId));
        Assert.StartsWith(RenditionCalls.OriginalPrefix, (await _web.PlayUrlAsync(userId)).AbsolutePath);
    }

    [Fact]
    public async Task WithoutItsDatabaseOrWithRenditionsOffTheBackfillStopsWithAClearMessage()
    {
        var noConnection = await RunBackfillAsync(new Dictionary<string, string>());
        Assert.True(noConnection.ExitCode == 2, noConnection.ToString());
        Assert.Contains("ConnectionStrings:feeddb is not set", noConnection.Error);

        var renditionsOff = await RunBackfillAsync(new Dictionary<string, string>(await FeedSettingsAsync()) { ["Renditions__Enabled"] = "false" });
        Assert.True(renditionsOff.ExitCode == 2, renditionsOff.ToString());
        Assert.Contains("Renditions:Enabled is false", renditionsOff.Error);

        var noDatabase = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync("feeddb")) { Database = "no_such_feeddb" };
        var missing = await RunBackfillAsync(new Dictionary<string, string> { ["ConnectionStrings__feeddb"] = noDatabase.ConnectionString });
        Assert.True(missing.ExitCode == 3, missing.ToString());
        Assert.Contains("the database feeddb could not be used", missing.Error);
        Assert.Contains("no_such_feeddb", missing.Error);
    }

    /// <summary>What the command needs of Feed's configuration: the test app's connection string of Feed's database.</summary>
    async Task<IReadOnlyDictionary<string, string>> FeedSettingsAsync() =>
        new Dictionary<string, string> { ["ConnectionStrings__feeddb"] = (await fixture.App.GetConnectionStringAsync("feeddb"))! };

    sealed record Run(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit code {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }

    /// <summary>
    /// <c>dotnet Douyin.Feed.dll renditions backfill</c> in Feed's build output (next to the test's own, same
    /// configuration), as an operator or a Kubernetes Job runs it in Feed's image.
    /// </summary>
    static async Task<Run> RunBackfillAsync(IReadOnlyDictionary<string, string> environment, params string[] options)
    {
        var output = Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory);
        var feed = Path.GetFullPath(Path.Combine(output, "..", "..", "Douyin.Feed", Path.GetFileName(output)));
        Assert.True(File.Exists(Path.Combine(feed, "Douyin.Feed.dll")), $"Feed is not built in {feed}");
        var start = new ProcessStartInfo("dotnet", ["Douyin.Feed.dll", "renditions", "backfill", .. options])
        {
            WorkingDirectory = feed,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("renditions backfill did not exit within 2 minutes");
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }
}
