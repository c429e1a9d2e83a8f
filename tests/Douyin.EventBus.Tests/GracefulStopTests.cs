using Douyin.EventBus.Tests.Infrastructure;
using Douyin.EventBus;
using Douyin.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.EventBus.Tests;

/// <summary>
/// What a service's bus does when its host stops (docs/reliability.md, "Stopping a service on purpose"): the consumer
/// takes nothing more and hands back what it prefetched, the handler in flight finishes and is acknowledged, and the
/// outbox dispatcher publishes what was committed.
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class GracefulStopTests(EventBusFixture fixture)
{
    // One handler at a time, so the messages behind the slow one wait prefetched in the stopping replica.
    static readonly Dictionary<string, string?> s_oneAtATime = new() { ["EventBus:ConsumerConcurrency"] = "1" };

    [Fact]
    public async Task AHandlerInFlightWhenTheHostStopsFinishesAndIsAcknowledgedAndTheQueuedMessagesStayForAnotherReplica()
    {
        const string queue = "stop-in-flight";
        using var replica = await fixture.StartServiceAsync(queue, SubscribeGated, s_oneAtATime);
        var gate = replica.Services.GetRequiredService<Gate>();
        var eventBus = replica.Services.GetRequiredService<IEventBus>();
        var slow = new WorkRequestedIntegrationEvent(Gate.SlowName, Fail: false);
        await eventBus.PublishAsync(slow);
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(15));
        WorkRequestedIntegrationEvent[] queued = [.. Enumerable.Range(0, 5).Select(i => new WorkRequestedIntegrationEvent($"queued {i}", Fail: false))];
        foreach (var @event in queued)
        {
            await eventBus.PublishAsync(@event);
        }

        var stopping = replica.StopAsync();
        // The subscription is cancelled while the handler still runs: the broker sends this replica nothing more.
        await Eventually.HoldsAsync(async () => await fixture.ConsumerCountAsync(queue) == 0, "the consumer cancelled");
        Assert.False(stopping.IsCompleted);
        Assert.False(gate.Left.Task.IsCompleted);

        gate.Release.SetResult();
        await stopping.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(gate.Left.Task.IsCompletedSuccessfully, "the handler in flight finished");
        Assert.Equal([slow], replica.Services.GetRequiredService<HandlerLog>().Events); // the prefetched ones were not begun
        Assert.Equal((5u, 0u), await fixture.QueueAsync(queue)); // handed back; the finished one acknowledged

        using var next = await fixture.StartServiceAsync(queue, bus => bus.AddSubscription<WorkRequestedIntegrationEvent, WorkRequestedHandler>());
        var log = next.Services.GetRequiredService<HandlerLog>();
        await Eventually.HoldsAsync(() => log.Events.Length == queued.Length, "the queued messages handled by the next replica");
        Assert.Equal(queued.Select(e => e.Id).Order(), log.Events.Select(e => e.Id).Order());
        Assert.Equal(0u, (await fixture.QueueAsync(queue)).Ready); // the finished message is not redelivered
        Assert.DoesNotContain(slow, log.Events);
        await next.StopAsync();
    }

    [Fact]
    public async Task EventsCommittedJustBeforeTheHostStopsArePublishedBeforeItHasStopped()
    {
        // Only the publisher's dispatcher can publish within the test.
        var slowRelay = OutboxTests.SlowRelay;
        using var subscriber = await fixture.StartServiceAsync("stop-outbox-subscriber", bus =>
            bus.AddSubscription<OrderPlacedIntegrationEvent, RecordingHandler<OrderPlacedIntegrationEvent>>(), slowRelay);
        using var publisher = fixture.CreateService("stop-outbox-publisher", settings: slowRelay);
        await publisher.StartAsync();
        OrderPlacedIntegrationEvent[] placed = [.. Enumerable.Range(0, 300).Select(i => new OrderPlacedIntegrationEvent(Guid.NewGuid(), $"item {i}"))];

        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            var outbox = scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>();
            await outbox.ExecuteInTransactionAsync(async ct =>
            {
                foreach (var @event in placed)
                {
                    await outbox.AddAsync(@event, ct);
                }
            });
        }
        // Committed and handed to the dispatcher, three batches of it; the host stops at once.
        await publisher.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Guid[] ids = [.. placed.Select(e => e.Id)];
        await using var check = fixture.CreateDbContext();
        var states = await check.Set<IntegrationEventLogEntry>().AsNoTracking().Where(e => ids.Contains(e.EventId))
            .GroupBy(e => e.State).Select(g => new { State = g.Key, Count = g.Count() }).ToListAsync();
        Assert.Equal([(IntegrationEventState.Published, placed.Length)], states.Select(s => (s.State, s.Count)));
        var log = subscriber.Services.GetRequiredService<HandlerLog>();
        await Eventually.HoldsAsync(() => log.Events.Intersect(placed).Count() == placed.Length, "every event received by the subscriber");
        await subscriber.StopAsync();
    }

    static void SubscribeGated(IEventBusBuilder bus)
    {
        bus.AddSubscription<WorkRequestedIntegrationEvent, GatedHandler>();
        bus.Services.AddSingleton<Gate>();
    }

    /// <summary>Holds the handler of <see cref="SlowName"/> until the test releases it, and tells how it ended.</summary>
    sealed class Gate
    {
        public const string SlowName = "slow";

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Left { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    sealed class GatedHandler(Gate gate, HandlerLog log) : IIntegrationEventHandler<WorkRequestedIntegrationEvent>
    {
        public async Task HandleAsync(WorkRequestedIntegrationEvent @event, CancellationToken cancellationToken)
        {
            if (@event.Name == Gate.SlowName)
            {
                gate.Entered.TrySetResult();
                try
                {
                    await gate.Release.Task.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    gate.Left.TrySetCanceled(cancellationToken);
                    throw;
                }
                gate.Left.TrySetResult();
            }
            log.Record(@event);
        }
    }
}
