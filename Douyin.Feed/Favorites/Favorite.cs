namespace Douyin.Feed.Favorites;

/// <summary>A like: user <see cref="UserId"/> liked video <see cref="VideoId"/>. The favorites endpoints write these.</summary>
public sealed class Favorite
{
    public long UserId { get; set; }
    public long VideoId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
