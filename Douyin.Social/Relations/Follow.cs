namespace Douyin.Social.Relations;

/// <summary>One edge of the follow graph: <see cref="FollowerId"/> follows <see cref="FolloweeId"/>.</summary>
public sealed class Follow
{
    public long FollowerId { get; set; }
    public long FolloweeId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
