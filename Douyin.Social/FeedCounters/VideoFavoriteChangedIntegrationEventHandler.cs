using Douyin.EventBus;
using Douyin.EventBus.IntegrationEvents;

namespace Douyin.Social.FeedCounters;

/// <summary>A like moves the liker's favorite_count and the author's total_favorited by one (they may be the same user).</summary>
public sealed class VideoFavoriteChangedIntegrationEventHandler(FeedCounterUpdates updates)
    : IIntegrationEventHandler<VideoFavoriteChangedIntegrationEvent>
{
    public Task HandleAsync(VideoFavoriteChangedIntegrationEvent @event, CancellationToken cancellationToken)
    {
        var delta = @event.IsFavorite ? 1 : -1;
        return updates.ApplyOnceAsync(
            @event,
            nameof(VideoFavoriteChangedIntegrationEventHandler),
            [new(@event.UserId, FavoriteCount: delta), new(@event.AuthorId, TotalFavorited: delta)],
            cancellationToken);
    }
}
