using System.Collections.Concurrent;
using System.Diagnostics;
using Douyin.EventBus;
using Douyin.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;

namespace Douyin.EventBus.Tests.Infrastructure;

public sealed record OrderPlacedIntegrationEvent(Guid OrderId, string Product) : IntegrationEvent;

public sealed record PointsAwardedIntegrationEvent(Guid AccountId, int Points) : IntegrationEvent;

public sealed record WorkRequestedIntegrationEvent(string Name, bool Fail) : IntegrationEvent;

/// <summary>What a service's handlers saw: each call, with the activity it ran under.</summary>
public sealed class HandlerLog
{
    public ConcurrentQueue<(IntegrationEvent Event, Activity? Activity)> Calls { get; } = new();

    public IntegrationEvent[] Events => [.. Calls.Select(c => c.Event)];

    public void Record(IntegrationEvent @event) => Calls.Enqueue((@event, Activity.Current));
}

public sealed class RecordingHandler<TEvent>(HandlerLog log) : IIntegrationEventHandler<TEvent> where TEvent : IntegrationEvent
{
    public Task HandleAsync(TEvent @event, CancellationToken cancellationToken)
    {
        log.Record(@event);
        return Task.CompletedTask;
    }
}

public sealed class WorkRequestedHandler(HandlerLog log) : IIntegrationEventHandler<WorkRequestedIntegrationEvent>
{
    public Task HandleAsync(WorkRequestedIntegrationEvent @event, CancellationToken cancellationToken)
    {
        log.Record(@event);
        return @event.Fail ? throw new InvalidOperationException($"{@event.Name} always fails") : Task.CompletedTask;
    }
}

/// <summary>The inbox pattern as a service would write it.</summary>
public sealed class PointsAwardedHandler(TestDbContext db, IIntegrationEventOutbox outbox, HandlerLog log) : IIntegrationEventHandler<PointsAwardedIntegrationEvent>
{
    public async Task HandleAsync(PointsAwardedIntegrationEvent @event, CancellationToken cancellationToken)
    {
        await outbox.ExecuteInTransactionAsync(async ct =>
        {
            if (!await db.TryBeginProcessingAsync(@event.Id, nameof(PointsAwardedHandler), ct))
            {
                return;
            }
            await db.Accounts.Where(a => a.Id == @event.AccountId)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Points, a => a.Points + @event.Points), ct);
        }, cancellationToken);
        log.Record(@event); // once the delivery's transaction has ended
    }
}
