using Douyin.ServiceDefaults.EventBus;

namespace Douyin.ServiceDefaults.IntegrationEvents;

// Events that cross service boundaries live here once, so publisher and consumers agree on names and shapes.
// The routing key is the type name: renaming a record is a breaking change for running consumers.

/// <summary>Douyin.Feed stored a new video; Social counts it in the author's <c>work_count</c>.</summary>
public sealed record VideoPublishedIntegrationEvent(long VideoId, long AuthorId) : IntegrationEvent;

/// <summary>
/// Douyin.Feed recorded that <paramref name="UserId"/> liked (<paramref name="IsFavorite"/> true) or unliked a video of
/// <paramref name="AuthorId"/>. Publish it only when the like row really changed (a repeated like is no event): Social
/// then moves the liker's <c>favorite_count</c> and the author's <c>total_favorited</c> by one.
/// </summary>
public sealed record VideoFavoriteChangedIntegrationEvent(long UserId, long VideoId, long AuthorId, bool IsFavorite) : IntegrationEvent;
