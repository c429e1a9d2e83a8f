using Douyin.Feed.Writes;
using Douyin.ServiceDefaults.Ids;
using Douyin.Api.Text;

namespace Douyin.Feed.Comments;

public sealed class CommentActionResponse : ApiResponse
{
    /// <summary>The posted or deleted comment; null on failure and for the repeat of a delete.</summary>
    public CommentCard? Comment { get; set; }
}

public sealed class CommentListResponse : ApiResponse
{
    public List<CommentCard> CommentList { get; set; } = [];
}

/// <summary>The services the comment endpoints share.</summary>
public sealed class CommentServices(
    VideoExistence videos, CommentStore comments, CommentCards cards, FeedWriteQueue writes, SnowflakeIdGenerator ids, WordFilter words)
{
    public VideoExistence Videos { get; } = videos;
    public CommentStore Comments { get; } = comments;
    public CommentCards Cards { get; } = cards;
    public FeedWriteQueue Writes { get; } = writes;
    public SnowflakeIdGenerator Ids { get; } = ids;
    public WordFilter Words { get; } = words;
}

public static class CommentsApi
{
    public static IEndpointRouteBuilder MapCommentsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/douyin/comment").WithTags("Comments");

        api.MapPost("/action/", ChangeCommentAsync)
            .WithName("ChangeComment")
            .WithSummary("Post comment_text (action_type 1) or delete one's own comment_id (2) on video_id; answered once the write is durably queued")
            .RequireAuthorization();
        api.MapGet("/list/", GetCommentListAsync)
            .WithName("GetCommentList")
            .WithSummary("The comments on video_id, newest first; anonymous callers are served");

        return app;
    }

    static async Task<Ok<CommentActionResponse>> ChangeCommentAsync(
        ApiParameters parameters, ClaimsPrincipal principal, [AsParameters] CommentServices services, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("video_id", out var videoId, out var error)
            || !parameters.TryGetInt64("action_type", out var actionType, out error))
        {
            return Fail(error);
        }
        if (actionType is not (1 or 2))
        {
            return Fail(ApiError.BadRequest("action_type must be 1 (post) or 2 (delete)."));
        }
        if (!await services.Videos.ExistsAsync(videoId, cancellationToken))
        {
            return Fail(new(ApiStatus.NotFound, "That video does not exist."));
        }

        var userId = principal.GetUserId()!.Value;
        return actionType == 1
            ? await PostAsync(parameters, services, userId, videoId, cancellationToken)
            : await DeleteAsync(parameters, services, userId, videoId, cancellationToken);
    }

    static async Task<Ok<CommentActionResponse>> PostAsync(
        ApiParameters parameters, CommentServices services, long userId, long videoId, CancellationToken cancellationToken)
    {
        var text = parameters.GetString("comment_text")?.Trim();
        if (TextRules.Check(text, "comment_text", 1, Comment.MaxLength, allowLineBreaks: true) is { } invalid)
        {
            return Fail(invalid);
        }

        var write = new CommentPostWrite(services.Ids.NextId(), userId, videoId, services.Words.Mask(text!));
        var comment = new Comment { Id = write.CommentId, VideoId = videoId, UserId = userId, Content = write.Content, CreatedAt = write.AcceptedAt };
        await services.Comments.RememberPendingAsync(comment);
        if (await services.Writes.TryEnqueueAsync(write, cancellationToken) is { } refused)
        {
            return Fail(refused);
        }
        return await AnswerAsync(parameters, services, comment, userId, "Comment posted.", cancellationToken);
    }

    static async Task<Ok<CommentActionResponse>> DeleteAsync(
        ApiParameters parameters, CommentServices services, long userId, long videoId, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("comment_id", out var commentId, out var error))
        {
            return Fail(error);
        }
        var comment = await services.Comments.FindAsync(commentId, cancellationToken);
        if (comment is null || comment.VideoId != videoId)
        {
            return Fail(new(ApiStatus.NotFound, "That comment does not exist on this video."));
        }
        if (comment.UserId != userId)
        {
            return Fail(new(ApiStatus.Forbidden, "Only its author can delete a comment."));
        }
        if (comment.IsDeleted)
        {
            return TypedResults.Ok(new CommentActionResponse { StatusMsg = "Comment already deleted." });
        }

        if (await services.Writes.TryEnqueueAsync(new CommentDeleteWrite(services.Ids.NextId(), userId, videoId, commentId), cancellationToken) is { } refused)
        {
            return Fail(refused);
        }
        return await AnswerAsync(parameters, services, comment, userId, "Comment deleted.", cancellationToken);
    }

    static async Task<Ok<CommentActionResponse>> AnswerAsync(
        ApiParameters parameters, CommentServices services, Comment comment, long userId, string message, CancellationToken cancellationToken)
    {
        var cards = await services.Cards.RenderAsync(parameters.HttpContext, [comment], userId, cancellationToken);
        return TypedResults.Ok(new CommentActionResponse { StatusMsg = message, Comment = cards[0] });
    }

    static async Task<Ok<CommentListResponse>> GetCommentListAsync(
        ApiParameters parameters, ClaimsPrincipal principal, VideoExistence videos, CommentStore comments, CommentCards cards,
        CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("video_id", out var videoId, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<CommentListResponse>(error));
        }
        if (!await videos.ExistsAsync(videoId, cancellationToken))
        {
            return TypedResults.Ok(ApiResponse.Fail<CommentListResponse>(ApiStatus.NotFound, "That video does not exist."));
        }

        var list = await comments.ListAsync(videoId, cancellationToken);
        return TypedResults.Ok(new CommentListResponse
        {
            CommentList = await cards.RenderAsync(parameters.HttpContext, list, principal.GetUserId(), cancellationToken),
        });
    }

    static Ok<CommentActionResponse> Fail(ApiError error) => TypedResults.Ok(ApiResponse.Fail<CommentActionResponse>(error));
}
