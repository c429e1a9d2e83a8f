namespace Douyin.Feed.Favorites;

/// <summary>
/// The state of one (user, video) pair: liked or not (<see cref="IsFavorite"/>; an unlike keeps the row as a
/// tombstone), and the <see cref="Sequence"/> of the last write applied to it, so an older or repeated write changes
/// nothing. Only <see cref="Writes.FeedWriteApplier"/> writes these.
/// </summary>
public sealed class Favorite
{
    public long UserId { get; set; }
    public long VideoId { get; set; }
    public bool IsFavorite { get; set; }
    public long Sequence { get; set; }

    /// <summary>When the current like was made; orders the favorite list.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
