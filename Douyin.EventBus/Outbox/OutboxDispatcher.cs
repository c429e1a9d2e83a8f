using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Douyin.EventBus.Outbox;

/// <summary>
/// Publishes the events of committed outbox rows right after their commit, in the background: the request that
/// committed them answers without waiting for the broker's confirmation and two more row updates. Events that arrive
/// together are published together (their confirmations pipeline) and their rows marked in one statement. Whatever
/// this does not publish (the broker is down, the queue is full, the process stops first) stays unpublished in the
/// outbox, and <see cref="OutboxRelay{TContext}"/> publishes it; a row published but not marked is published again,
/// which consumers' inboxes absorb. A publish continues the trace of the request that committed its row, so the
/// request, the broker publish and the consumers' work are one trace; the relay's publishes start traces of their own.
/// </summary>
public sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopeFactory, IEventBus eventBus, ILogger<OutboxDispatcher<TContext>> logger) : BackgroundService where TContext : DbContext
{
    const int BatchSize = 100;
    const int Capacity = 10_000;

    readonly Channel<(IntegrationEvent Event, ActivityContext Cause)> _events = Channel.CreateBounded<(IntegrationEvent, ActivityContext)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Queues an event whose row has committed; false when the queue is full, and the relay publishes it later.</summary>
    public bool TryDispatch(IntegrationEvent @event) => _events.Writer.TryWrite((@event, Activity.Current?.Context ?? default));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(IntegrationEvent Event, ActivityContext Cause)>(BatchSize);
        try
        {
            while (await _events.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < BatchSize && _events.Reader.TryRead(out var @event))
                {
                    batch.Add(@event);
                }
                await PublishAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task PublishAsync(List<(IntegrationEvent Event, ActivityContext Cause)> batch, CancellationToken cancellationToken)
    {
        var confirmed = await Task.WhenAll(batch.Select(async item =>
        {
            var @event = item.Event;
            // The parent of the broker client's publish span: this loop runs outside any request.
            using var activity = item.Cause == default ? null
                : RabbitMQEventConsumer.ActivitySource.StartActivity("outbox dispatch", ActivityKind.Internal, item.Cause);
            try
            {
                await eventBus.PublishAsync(@event, cancellationToken);
                return true;
            }
            catch (EventBusPublishException ex)
            {
                logger.LogWarning("Publishing {EventId} after its commit failed; the outbox relay will: {Reason}", @event.Id, ex.Message);
                return false;
            }
        }));

        Guid[] published = [.. batch.Where((_, i) => confirmed[i]).Select(e => e.Event.Id)];
        Guid[] failed = [.. batch.Where((_, i) => !confirmed[i]).Select(e => e.Event.Id)];
        try
        {
            await using var scope = scopeFactory.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            await MarkAsync(db, published, IntegrationEventState.Published, cancellationToken);
            await MarkAsync(db, failed, IntegrationEventState.PublishedFailed, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Marking {Count} published events failed; the outbox relay will publish them again: {Reason}", published.Length, ex.Message);
        }
    }

    static Task MarkAsync(TContext db, Guid[] eventIds, IntegrationEventState state, CancellationToken cancellationToken) =>
        eventIds.Length == 0
            ? Task.CompletedTask
            : db.Set<IntegrationEventLogEntry>()
                .Where(e => eventIds.Contains(e.EventId))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.State, state).SetProperty(e => e.TimesSent, e => e.TimesSent + 1), cancellationToken);
}
