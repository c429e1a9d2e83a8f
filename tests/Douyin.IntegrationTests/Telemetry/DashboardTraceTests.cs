using Douyin.IntegrationTests.Favorites;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.IntegrationTests.Videos;

namespace Douyin.IntegrationTests.Telemetry;

/// <summary>
/// One request's trace, as the dashboard receives it from the services (issue 16): each request carries a trace id the
/// test chose, and the assertions read the dashboard's telemetry API, not the services' exporters, so what is proven
/// is what a developer sees in the Traces page.
/// </summary>
public sealed class DashboardTraceTests(DashboardAppFixture fixture) : IClassFixture<DashboardAppFixture>
{
    static readonly TimeSpan s_exportWithin = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AFeedReadCrossesWebFeedAndSocialWithItsDatabaseSpans()
    {
        var (authorId, viewerToken) = await PublishedVideoAsync();
        var traceId = DashboardAppFixture.NewTraceId();

        // A publish list with a viewer's token: Feed reads the videos from PostgreSQL and their authors' cards from Social.
        using (var web = fixture.Web(traceId))
        {
            Assert.Single(await web.PublishListAsync(authorId, viewerToken));
        }

        await AssertReceivedAsync(
            ("web served it", s => Trace(s, traceId).Any(t => t.Service == "web" && t.Kind == SpanKind.Server)),
            ("feed served web's call", s => Trace(s, traceId).Any(t => t.Service == "feed" && t.Kind == SpanKind.Server)),
            ("social served feed's call", s => Trace(s, traceId).Any(t => t.Service == "social" && t.Kind == SpanKind.Server)),
            ("feed queried PostgreSQL", s => Trace(s, traceId).Any(t => t.Service == "feed" && IsNpgsql(t))));
    }

    [Fact]
    public async Task ACommentsBrokerPublishIsInItsRequestsTraceAndItsConsumeLinksToIt()
    {
        var (authorId, viewerToken) = await PublishedVideoAsync();
        long videoId;
        using (var untraced = fixture.Web(DashboardAppFixture.NewTraceId()))
        {
            videoId = Assert.Single(await untraced.PublishListAsync(authorId, viewerToken))!["id"]!.GetValue<long>();
            // Feed's write publishers start with its first write: the traced write must not inherit that one's trace.
            Assert.Equal(0, (await untraced.CommentAsync(viewerToken, videoId, "first")).StatusCode());
        }
        var traceId = DashboardAppFixture.NewTraceId();

        // A comment: Feed queues the write on RabbitMQ (feed.writes), answers with the commenter's card from Social, and
        // its consumer applies the write; the consumer's deliver span starts a trace of its own that links to the publish.
        using (var web = fixture.Web(traceId))
        {
            Assert.Equal(0, (await web.CommentAsync(viewerToken, videoId, "traced")).StatusCode());
        }

        await AssertReceivedAsync(
            ("web served it", s => Trace(s, traceId).Any(t => t.Service == "web" && t.Kind == SpanKind.Server)),
            ("feed served web's call", s => Trace(s, traceId).Any(t => t.Service == "feed" && t.Kind == SpanKind.Server)),
            ("social served feed's call for the card", s => Trace(s, traceId).Any(t => t.Service == "social" && t.Kind == SpanKind.Server)),
            ("feed published to RabbitMQ in the request's trace", s => Publish(s, traceId) is { Service: "feed" }),
            ("feed's consumer received that publish", s => Publish(s, traceId) is { } p && s.Any(c => c.Service == "feed" && ConsumesFrom(c, p))));
    }

    /// <summary>
    /// Waits until the dashboard has received spans for which every requirement holds (or a minute has passed: its
    /// exporters send every few seconds), then asserts each, so that a failure names what the dashboard did not get.
    /// </summary>
    async Task AssertReceivedAsync(params (string What, Func<IReadOnlyList<ReceivedSpan>, bool> Holds)[] requirements)
    {
        var spans = await fixture.SpansAsync(s => requirements.All(r => r.Holds(s)), s_exportWithin);
        Assert.All(requirements, r => Assert.True(r.Holds(spans), $"The dashboard received no spans showing that {r.What} ({spans.Count} spans received)."));
    }

    /// <summary>A video of a new author, and a viewer's token (in traces of their own: only the requests under test carry the asserted trace id).</summary>
    async Task<(long AuthorId, string ViewerToken)> PublishedVideoAsync()
    {
        using var web = fixture.Web(DashboardAppFixture.NewTraceId());
        var (authorId, authorToken) = await web.RegisterAsync();
        var (_, viewerToken) = await web.RegisterAsync();
        Assert.Equal(0, (await web.PublishAsync(authorToken, "traced clip", await TestMedia.ClipAsync())).StatusCode());
        return (authorId, viewerToken);
    }

    static List<ReceivedSpan> Trace(IReadOnlyList<ReceivedSpan> spans, string traceId) => [.. spans.Where(s => s.TraceId == traceId)];

    // Npgsql's ActivitySource (Aspire.Npgsql registers it).
    static bool IsNpgsql(ReceivedSpan span) => span.Scope == "Npgsql";

    static ReceivedSpan? Publish(IReadOnlyList<ReceivedSpan> spans, string traceId) =>
        spans.FirstOrDefault(s => s.TraceId == traceId && s.Scope == "RabbitMQ.Client.Publisher" && s.Kind == SpanKind.Producer);

    // RabbitMQ.Client's deliver span: a new trace with a link to the publish (or, for Douyin.EventBus, the publish as parent).
    static bool ConsumesFrom(ReceivedSpan span, ReceivedSpan publish) =>
        span.Kind == SpanKind.Consumer
        && (span.Links.Contains((publish.TraceId, publish.SpanId)) || (span.TraceId == publish.TraceId && span.ParentSpanId == publish.SpanId));
}
