using Douyin.E2ETests.Infrastructure;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Douyin.IntegrationTests.Telemetry;

/// <summary>
/// The rendition job as a developer sees it in the dashboard (issue 20): its spans in the trace of the publish that
/// asked for it, read back through the dashboard's telemetry API, and its meter's instruments on the dashboard's
/// Metrics page, read in headless Chromium (the API of Aspire 13.6's dashboard serves resources, spans, logs and
/// traces, not metrics). Renditions are on in this app, as under <c>dotnet run</c>.
/// </summary>
public sealed class DashboardRenditionTests(DashboardAppFixture fixture, BrowserFixture browser)
    : IClassFixture<DashboardAppFixture>, IClassFixture<BrowserFixture>
{
    const string JobEvent = "VideoRenditionRequestedIntegrationEvent";

    [Fact]
    public async Task ARenditionJobsSpansAreInItsPublishsTrace()
    {
        var traceId = DashboardAppFixture.NewTraceId();
        using (var untraced = fixture.Web(DashboardAppFixture.NewTraceId()))
        {
            var (_, token) = await untraced.RegisterAsync();
            // The clip is H.264 Constrained Baseline: encoded, not only remuxed.
            using var web = fixture.Web(traceId);
            Assert.Equal(0, (await web.PublishAsync(token, "rendition traced", await TestMedia.ClipAsync())).StatusCode());
        }

        // The request, the outbox's publish of the job after the commit, the consumer's handling, the job, its ffmpeg run:
        // read until the whole chain is there (a parent span ends, and is exported, after its children). The encode of
        // the clip takes seconds, a minute or more on this shared machine.
        var spans = await fixture.TraceAsync(traceId, s => Chain(s, traceId).Encode is not null, TimeSpan.FromMinutes(3));
        Assert.True(spans.Any(s => s.Service == "web" && s.Kind == SpanKind.Server && s.TraceId == traceId), $"web's span is not in the trace ({spans.Count} spans received)");
        var (publish, consume, job, encode) = Chain(spans, traceId);
        Assert.True(publish is not null, $"no publish of the job in the request's trace: {string.Join(", ", spans.Select(s => $"{s.Service} {s.Scope} '{s.Name}' {s.Kind}"))}");
        Assert.True(consume is not null, "no consume span of that publish");
        Assert.True(job is not null, "no rendition span under the consume span");
        Assert.True(encode is not null, "no rendition encode span under the rendition span");
    }

    [Fact]
    public async Task TheQueuedAndRunningRenditionsAreOnTheDashboardsMetricsPage()
    {
        // A job, so that every instrument has had a measurement (the queued gauge is read from the broker all along).
        using (var web = fixture.Web(DashboardAppFixture.NewTraceId()))
        {
            var (_, token) = await web.RegisterAsync();
            Assert.Equal(0, (await web.PublishAsync(token, "rendition measured", await TestMedia.ClipAsync())).StatusCode());
        }

        await using var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(fixture.Login.ToString());
        // The login page checks the token, sets its cookie and goes on to the resources.
        await Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/login"));
        // Each instrument's page names it and shows the description the service exported with it (OTLP carries both).
        foreach (var (instrument, description) in new[]
        {
            ("douyin.renditions.queued", "Rendition jobs waiting in the queue for a consumer"),
            ("douyin.renditions.running", "Rendition jobs this process is downloading, encoding or storing"),
            ("douyin.renditions.completed", "Rendition jobs finished, by outcome"),
            ("douyin.renditions.encode.duration", "Time of one ffmpeg run of a rendition"),
        })
        {
            await page.GotoAsync(new Uri(fixture.Dashboard.BaseAddress!, $"/metrics/resource/feed?meter=Douyin.Renditions&instrument={instrument}").ToString());
            // The job's instruments appear once it has run and the next export (every second or so) has reached the dashboard.
            await Assertions.Expect(page.GetByText(description).First).ToBeVisibleAsync(new() { Timeout = 90_000 });
            await Assertions.Expect(page.GetByText(instrument).First).ToBeVisibleAsync();
        }
    }

    /// <summary>The job's spans in the trace of the request that published the video, each the child of the one before.</summary>
    static (ReceivedSpan? Publish, ReceivedSpan? Consume, ReceivedSpan? Job, ReceivedSpan? Encode) Chain(IReadOnlyList<ReceivedSpan> spans, string traceId)
    {
        var publish = spans.FirstOrDefault(s => s.TraceId == traceId && s is { Service: "feed", Scope: "RabbitMQ.Client.Publisher", Kind: SpanKind.Producer }
            && s.Name == $"publish {JobEvent}");
        // Douyin.EventBus parents its handling on the publish (RabbitMQ.Client's own deliver span only links to it).
        var consume = publish is null ? null : spans.FirstOrDefault(s => s is { Service: "feed", Kind: SpanKind.Consumer }
            && s.Name == $"{JobEvent} process" && s.TraceId == traceId && s.ParentSpanId == publish.SpanId);
        var job = consume is null ? null : spans.FirstOrDefault(s => s is { Scope: "Douyin.Renditions", Name: "rendition" } && s.ParentSpanId == consume.SpanId);
        var encode = job is null ? null : spans.FirstOrDefault(s => s is { Scope: "Douyin.Renditions", Name: "rendition encode" } && s.ParentSpanId == job.SpanId);
        return (publish, consume, job, encode);
    }
}
