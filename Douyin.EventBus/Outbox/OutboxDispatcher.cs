using System.Diagnostics;
using System.Threading.Channels;
using Douyin.EventBus.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Douyin.EventBus.Outbox;

/// <summary>
/// Publishes the events of committed outbox rows right after their commit, in the background: the request that
/// committed them answers without waiting for the broker's confirmation and two more row updates. Events that arrive
/// together are published together (their confirmations pipeline) and their rows marked in one statement. Whatever
/// this does not publish (the broker is down, the queue is full, the process is killed first) stays unpublished in the
/// outbox, and <see cref="OutboxRelay{TContext}"/> publishes it; a row published but not marked is published again,
/// which consumers' inboxes absorb. A publish continues the trace of the request that committed its row, so the
/// request, the broker publish and the consumers' work are one trace; the relay's publishes start traces of their own.
/// <para>
/// When the host stops, the batch in flight is finished, and once every hosted service has stopped (Kestrel's last
/// requests and the consumers' last handlers have committed theirs) the events still queued are published
/// (<see cref="StoppedAsync"/>), within the stop timeout: they are not left to a relay that looks only
/// <see cref="EventBusOptions.OutboxRelayDelay"/> later, and on another replica.
/// </para>
/// </summary>
public sealed class OutboxDispatcher<TContext>(
    IServiceScopeFactory scopeFactory, IEventBus eventBus, ILogger<OutboxDispatcher<TContext>> logger)
    : DrainingBackgroundService, IHostedLifecycleService where TContext : DbContext
{
    const int BatchSize = 100;
    const int Capacity = 10_000;

    readonly Channel<(IntegrationEvent Event, ActivityContext Cause)> _events = Channel.CreateBounded<(IntegrationEvent, ActivityContext)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>
    /// Queues an event whose row has committed; false when the queue is full or the host has stopped, and the relay
    /// publishes it later.
    /// </summary>
    public bool TryDispatch(IntegrationEvent @event) => _events.Writer.TryWrite((@event, Activity.Current?.Context ?? default));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _events.Reader.WaitToReadAsync(stoppingToken))
            {
                // A batch once taken is published whatever the stop says, or its events would wait for the relay.
                await PublishBatchAsync(Abandoned);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>After every hosted service has stopped, nothing commits events any more: publish what is queued.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        _events.Writer.TryComplete();
        try
        {
            if (ExecuteTask is { } running)
            {
                await running.WaitAsync(cancellationToken); // one reader at a time
            }
            var flushed = 0;
            while (await PublishBatchAsync(cancellationToken) is > 0 and var count)
            {
                flushed += count;
            }
            if (flushed > 0)
            {
                logger.LogInformation("Published {Count} integration events of {DbContext} queued when the host stopped", flushed, typeof(TContext).Name);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The stop timeout ran out before the queued integration events of {DbContext} were published; the outbox relay will",
                typeof(TContext).Name);
        }
    }

    /// <summary>Publishes up to <see cref="BatchSize"/> queued events; returns how many it took.</summary>
    async Task<int> PublishBatchAsync(CancellationToken cancellationToken)
    {
        var batch = new List<(IntegrationEvent Event, ActivityContext Cause)>(BatchSize);
        while (batch.Count < BatchSize && _events.Reader.TryRead(out var @event))
        {
            batch.Add(@event);
        }
        if (batch.Count > 0)
        {
            await PublishAsync(batch, cancellationToken);
        }
        return batch.Count;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
