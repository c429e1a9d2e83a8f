using Douyin.Feed.Writes;
using Douyin.ServiceDefaults.Ids;

namespace Douyin.Feed.Favorites;

public static class FavoritesApi
{
    public static IEndpointRouteBuilder MapFavoritesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/douyin/favorite").WithTags("Favorites");

        api.MapPost("/action/", ChangeFavoriteAsync)
            .WithName("ChangeFavorite")
            .WithSummary("Like (action_type 1) or unlike (2) video_id; answered once the write is durably queued; repeats are no-ops")
            .RequireAuthorization();
        api.MapGet("/list/", GetFavoriteListAsync)
            .WithName("GetFavoriteList")
            .WithSummary("The videos user_id likes, newest like first, rendered for the caller");

        return app;
    }

    static async Task<Ok<ApiResponse>> ChangeFavoriteAsync(
        ApiParameters parameters, ClaimsPrincipal principal, VideoExistence videos, FeedWriteQueue writes, SnowflakeIdGenerator ids,
        CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("video_id", out var videoId, out var error)
            || !parameters.TryGetInt64("action_type", out var actionType, out error))
        {
            return TypedResults.Ok(ApiResponse.Fail<ApiResponse>(error));
        }
        if (actionType is not (1 or 2))
        {
            return TypedResults.Ok(ApiResponse.Fail(ApiStatus.BadRequest, "action_type must be 1 (like) or 2 (unlike)."));
        }
        if (!await videos.ExistsAsync(videoId, cancellationToken))
        {
            return TypedResults.Ok(ApiResponse.Fail(ApiStatus.NotFound, "That video does not exist."));
        }

        var write = new FavoriteWrite(ids.NextId(), principal.GetUserId()!.Value, videoId, IsFavorite: actionType == 1);
        return TypedResults.Ok(await writes.TryEnqueueAsync(write, cancellationToken) is { } refused
            ? ApiResponse.Fail<ApiResponse>(refused)
            : new ApiResponse { StatusMsg = write.IsFavorite ? "Liked." : "Unliked." });
    }

    /// <summary>The token is optional: anonymous viewers see is_favorite false. Without user_id, the caller's own list.</summary>
    static async Task<Ok<VideoListResponse>> GetFavoriteListAsync(
        ApiParameters parameters, ClaimsPrincipal principal, FavoriteLookup favorites, VideoFeed feed, VideoCards cards,
        CancellationToken cancellationToken)
    {
        if (!parameters.TryGetInt64("user_id", out var userId, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<VideoListResponse>(error));
        }
        var viewerId = principal.GetUserId();
        if (userId <= 0 && viewerId is null)
        {
            return TypedResults.Ok(ApiResponse.Fail<VideoListResponse>(ApiStatus.BadRequest, "user_id is required and must be a positive id."));
        }

        var liked = await favorites.GetLikedVideoIdsAsync(userId > 0 ? userId : viewerId!.Value, cancellationToken);
        var videos = await feed.InOrderAsync(liked, cancellationToken);
        return TypedResults.Ok(new VideoListResponse
        {
            VideoList = await cards.RenderAsync(parameters.HttpContext, videos, viewerId, cancellationToken),
        });
    }
}
