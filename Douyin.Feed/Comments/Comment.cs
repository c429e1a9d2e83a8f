namespace Douyin.Feed.Comments;

/// <summary>
/// A comment on a video. A deleted one stays as a tombstone (<see cref="IsDeleted"/>, content cleared), so a post that
/// reaches the database after its delete (redelivery, another consumer) inserts nothing.
/// </summary>
public sealed class Comment
{
    /// <summary>Longest comment in characters (shared/api/douyin-api.md §3.9).</summary>
    public const int MaxLength = 500;

    public long Id { get; set; }
    public long VideoId { get; set; }
    public long UserId { get; set; }
    public required string Content { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public bool IsDeleted { get; set; }
}
