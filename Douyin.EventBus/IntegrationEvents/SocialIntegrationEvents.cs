namespace Douyin.EventBus.IntegrationEvents;

/// <summary>
/// Douyin.Social's follow graph changed: <paramref name="FollowerId"/> now follows (<paramref name="IsFollowing"/> true)
/// or no longer follows <paramref name="FolloweeId"/>. Published through Social's outbox only when the relation really
/// changed, for services that keep their own view of the graph (a following timeline, friend checks).
/// </summary>
public sealed record FollowChangedIntegrationEvent(long FollowerId, long FolloweeId, bool IsFollowing) : IntegrationEvent;
