namespace Douyin.Feed.Videos;

/// <summary>The API's Video object (shared/api/douyin-api.md §2.2): every field, always written.</summary>
public sealed record VideoCard
{
    public long Id { get; init; }
    public required User Author { get; init; }
    public required string PlayUrl { get; init; }
    public required string CoverUrl { get; init; }
    public long FavoriteCount { get; init; }
    public long CommentCount { get; init; }
    public bool IsFavorite { get; init; }
    public required string Title { get; init; }
}
