namespace Douyin.EventBus.IntegrationEvents;

// Events that cross service boundaries live here once, in the project that publisher and consumers both reference, so
// they agree on names and shapes when they compile (eShop copies each record into every service that uses it, and only
// the type name and the JSON keep the copies in step). The routing key is the type name: renaming a record is a
// breaking change for running consumers.

/// <summary>Douyin.Feed stored a new video; Social counts it in the author's <c>work_count</c>.</summary>
public sealed record VideoPublishedIntegrationEvent(long VideoId, long AuthorId) : IntegrationEvent;

/// <summary>How one user's like counters moved in a batch: likes given (<c>favorite_count</c>) and received on their videos (<c>total_favorited</c>).</summary>
public sealed record FavoriteCountDelta(long UserId, long FavoriteCount, long TotalFavorited);

/// <summary>
/// Douyin.Feed applied a batch of likes and unlikes; <paramref name="Changes"/> holds the net change of each user the
/// batch touched (a like then an unlike in one batch is no change). One event per batch rather than one per like, so
/// Social's work follows the number of batches, not of likes: at thousands of likes a second, an event, an inbox row
/// and a transaction per like were what limited the whole write path.
/// </summary>
public sealed record FavoriteCountsChangedIntegrationEvent(IReadOnlyList<FavoriteCountDelta> Changes) : IntegrationEvent;

/// <summary>
/// The per-like event Douyin.Feed published before <see cref="FavoriteCountsChangedIntegrationEvent"/>; Social still
/// applies it, so events of an older Feed left in the queue during a rolling update are counted.
/// Douyin.Feed recorded that <paramref name="UserId"/> liked (<paramref name="IsFavorite"/> true) or unliked a video of
/// <paramref name="AuthorId"/>. Publish it only when the like row really changed (a repeated like is no event): Social
/// then moves the liker's <c>favorite_count</c> and the author's <c>total_favorited</c> by one.
/// </summary>
public sealed record VideoFavoriteChangedIntegrationEvent(long UserId, long VideoId, long AuthorId, bool IsFavorite) : IntegrationEvent;

/// <summary>
/// Douyin.Feed stored a new upload at <paramref name="SourceBlob"/> and wants its streaming rendition made. Feed publishes
/// it through its outbox in the publish transaction and handles it itself (Douyin.Feed/Renditions), so no job is lost
/// while the broker is down.
/// </summary>
public sealed record VideoRenditionRequestedIntegrationEvent(long VideoId, string SourceBlob) : IntegrationEvent;
