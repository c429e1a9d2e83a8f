using Douyin.EventBus;
using Douyin.EventBus.IntegrationEvents;

namespace Douyin.Social.FeedCounters;

/// <summary>A batch of likes moves each liker's favorite_count and each author's total_favorited by its net change, in one transaction.</summary>
public sealed class FavoriteCountsChangedIntegrationEventHandler(FeedCounterUpdates updates)
    : IIntegrationEventHandler<FavoriteCountsChangedIntegrationEvent>
{
    public Task HandleAsync(FavoriteCountsChangedIntegrationEvent @event, CancellationToken cancellationToken) =>
        updates.ApplyOnceAsync(
            @event,
            nameof(FavoriteCountsChangedIntegrationEventHandler),
            [.. (@event.Changes ?? []).Select(c => new CounterChange(c.UserId, FavoriteCount: c.FavoriteCount, TotalFavorited: c.TotalFavorited))],
            cancellationToken);
}
