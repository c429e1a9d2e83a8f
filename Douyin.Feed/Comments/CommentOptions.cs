namespace Douyin.Feed.Comments;

/// <summary>Section <c>Comments</c>.</summary>
public sealed class CommentOptions
{
    public const string SectionName = "Comments";

    /// <summary>The IANA zone <c>create_date</c> (mm-dd) is written in: the client shows the date as is.</summary>
    public string TimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Newest comments a list answer holds (the API has no paging).</summary>
    public int MaxListSize { get; set; } = 500;

    /// <summary>
    /// How long a posted comment is remembered in Redis until its write is applied, so that its author can delete it
    /// even before it reaches PostgreSQL. Far longer than the queue normally takes.
    /// </summary>
    public TimeSpan PendingTtl { get; set; } = TimeSpan.FromMinutes(10);
}
