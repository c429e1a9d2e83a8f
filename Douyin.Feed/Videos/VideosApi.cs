namespace Douyin.Feed.Videos;

public sealed class FeedResponse : ApiResponse
{
    public List<VideoCard> VideoList { get; set; } = [];

    /// <summary>Milliseconds: the oldest video of the page, or now when the feed is exhausted so the client wraps around.</summary>
    public long NextTime { get; set; }
}

public sealed class VideoListResponse : ApiResponse
{
    public List<VideoCard> VideoList { get; set; } = [];
}

public static class VideosApi
{
    /// <summary>Smaller <c>latest_time</c> values are seconds (the document's unit); larger ones are milliseconds (what clients send in practice).</summary>
    public const long MillisecondsThreshold = 100_000_000_000;

    public static IEndpointRouteBuilder MapVideosApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/douyin").WithTags("Videos");

        api.MapGet("/feed/", GetFeedAsync)
            .WithName("GetFeed")
            .WithSummary("Videos published before latest_time, newest first; anonymous callers are served");
        api.MapGet("/publish/list/", GetPublishListAsync)
            .WithName("GetPublishList")
            .WithSummary("All videos of user_id, newest first");

        return app;
    }

    static async Task<Ok<FeedResponse>> GetFeedAsync(
        ApiParameters parameters, ClaimsPrincipal principal, VideoFeed feed, VideoCards cards, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetInt64("latest_time", out var latestTime, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<FeedResponse>(error));
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var beforeMs = latestTime switch
        {
            <= 0 => now + 1,
            >= MillisecondsThreshold => latestTime,
            _ => latestTime * 1000,
        };

        var (videos, oldestMs) = await feed.GetPageAsync(beforeMs, cancellationToken);
        return TypedResults.Ok(new FeedResponse
        {
            VideoList = await cards.RenderAsync(parameters.HttpContext, videos, principal.GetUserId(), cancellationToken),
            NextTime = oldestMs ?? now,
        });
    }

    static async Task<Ok<VideoListResponse>> GetPublishListAsync(
        ApiParameters parameters, ClaimsPrincipal principal, VideoFeed feed, VideoCards cards, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("user_id", out var userId, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<VideoListResponse>(error));
        }

        var videos = await feed.GetByAuthorAsync(userId, cancellationToken);
        return TypedResults.Ok(new VideoListResponse
        {
            VideoList = await cards.RenderAsync(parameters.HttpContext, videos, principal.GetUserId(), cancellationToken),
        });
    }
}
