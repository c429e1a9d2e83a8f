namespace Douyin.Feed.Videos;

/// <summary>A published video: where its media lives and the counters shown with it. Also the record cached in Redis.</summary>
public sealed class Video
{
    public long Id { get; set; }
    public long AuthorId { get; set; }
    public required string Title { get; set; }

    /// <summary>A path such as <c>/media/videos/1.mp4</c>, made absolute per request (<see cref="PublicUrls"/>).</summary>
    public required string PlayPath { get; set; }

    /// <summary>
    /// The streaming rendition (H.264, index first) once it is stored, e.g. <c>/media/renditions/1.mp4</c>; until then
    /// null and the video plays from <see cref="PlayPath"/>, the upload as it came.
    /// </summary>
    public string? RenditionPath { get; set; }

    /// <summary>What clients play: the rendition when it is ready, the original until then.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string StreamPath => RenditionPath ?? PlayPath;

    public required string CoverPath { get; set; }
    public long FavoriteCount { get; set; }
    public long CommentCount { get; set; }

    /// <summary>Publish time, whole milliseconds: the feed's cursor is in milliseconds, so PostgreSQL and Redis order alike.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
