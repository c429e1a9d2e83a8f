namespace Douyin.Feed.Comments;

/// <summary>The API's Comment object (shared/api/douyin-api.md §2.3): every field, always written.</summary>
public sealed record CommentCard
{
    public long Id { get; init; }
    public required User User { get; init; }
    public required string Content { get; init; }

    /// <summary>mm-dd in <see cref="CommentOptions.TimeZone"/>.</summary>
    public required string CreateDate { get; init; }
}
