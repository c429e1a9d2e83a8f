using Douyin.EventBus;
using Douyin.EventBus.Outbox;

namespace Douyin.Social.FeedCounters;

/// <summary>
/// work_count, favorite_count and total_favorited are Douyin.Feed's facts, kept here as counters fed by Feed's events
/// so that rendering a user never calls Feed. Each event applies once, whatever the redeliveries.
/// </summary>
public sealed class FeedCounterUpdates(SocialDbContext db, IIntegrationEventOutbox outbox, UserCardCache cardCache)
{
    public async Task ApplyOnceAsync(IntegrationEvent @event, string consumer, CounterChange[] changes, CancellationToken cancellationToken)
    {
        var applied = false;
        await outbox.ExecuteInTransactionAsync(async ct =>
        {
            applied = await db.TryBeginProcessingAsync(@event.Id, consumer, ct);
            if (applied)
            {
                await db.ApplyAsync(changes, ct);
            }
        }, cancellationToken);

        if (applied)
        {
            await cardCache.InvalidateAsync(changes.Select(c => c.UserId));
        }
    }
}
