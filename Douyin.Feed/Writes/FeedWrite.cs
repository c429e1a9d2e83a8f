using System.Text.Json.Serialization;
using Douyin.ServiceDefaults.Ids;

namespace Douyin.Feed.Writes;

/// <summary>
/// A like or comment write, accepted by an action endpoint and applied later by <see cref="FeedWriteConsumer"/>.
/// <see cref="Sequence"/> is a snowflake id taken at the endpoint: it orders one user's writes to one target, so the
/// consumers keep the last action whatever the delivery order, and it dates the write.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(FavoriteWrite), "favorite")]
[JsonDerivedType(typeof(CommentPostWrite), "comment-post")]
[JsonDerivedType(typeof(CommentDeleteWrite), "comment-delete")]
public abstract record FeedWrite(long Sequence, long UserId, long VideoId)
{
    /// <summary>When the endpoint accepted the write.</summary>
    [JsonIgnore]
    public DateTimeOffset AcceptedAt => SnowflakeIdGenerator.GetTimestamp(Sequence);

    /// <summary>What a well-formed message satisfies; anything else is poison and goes to the dead-letter queue.</summary>
    public virtual bool IsValid() => Sequence > 0 && UserId > 0 && VideoId > 0;
}

/// <summary>User <see cref="FeedWrite.UserId"/> likes (<see cref="IsFavorite"/>) or unlikes a video.</summary>
public sealed record FavoriteWrite(long Sequence, long UserId, long VideoId, bool IsFavorite) : FeedWrite(Sequence, UserId, VideoId);

/// <summary>A new comment. Its id is the write's sequence, so the endpoint can answer with it and a redelivery inserts nothing.</summary>
public sealed record CommentPostWrite(long Sequence, long UserId, long VideoId, string Content) : FeedWrite(Sequence, UserId, VideoId)
{
    public long CommentId => Sequence;

    public override bool IsValid() => base.IsValid() && TextRules.Check(Content, "content", 1, Comment.MaxLength, allowLineBreaks: true) is null;
}

/// <summary>The author of comment <see cref="CommentId"/> deletes it (the endpoint checked who wrote it).</summary>
public sealed record CommentDeleteWrite(long Sequence, long UserId, long VideoId, long CommentId) : FeedWrite(Sequence, UserId, VideoId)
{
    public override bool IsValid() => base.IsValid() && CommentId > 0;
}
