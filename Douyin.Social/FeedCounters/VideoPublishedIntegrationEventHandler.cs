using Douyin.EventBus;
using Douyin.EventBus.IntegrationEvents;

namespace Douyin.Social.FeedCounters;

/// <summary>A new video counts in its author's work_count.</summary>
public sealed class VideoPublishedIntegrationEventHandler(FeedCounterUpdates updates) : IIntegrationEventHandler<VideoPublishedIntegrationEvent>
{
    public Task HandleAsync(VideoPublishedIntegrationEvent @event, CancellationToken cancellationToken) =>
        updates.ApplyOnceAsync(@event, nameof(VideoPublishedIntegrationEventHandler), [new(@event.AuthorId, WorkCount: 1)], cancellationToken);
}
