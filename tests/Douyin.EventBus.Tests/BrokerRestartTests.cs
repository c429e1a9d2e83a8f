using System.Diagnostics;
using Douyin.EventBus.Tests.Infrastructure;
using Douyin.EventBus;
using Douyin.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.EventBus.Tests;

[Collection(BrokerCollection.Name)]
public sealed class BrokerRestartTests(EventBusFixture fixture)
{
    /// <summary>
    /// One broker outage, four guarantees: publishing fails within its timeout while the broker is down, a publish made
    /// the moment the broker is back waits for the connection's recovery instead of failing on the dead connection, the
    /// outbox relay delivers what the dispatcher could not publish, and the consumer keeps consuming after the restart.
    /// </summary>
    [Fact]
    public async Task OutboxRelayAndConsumerRecoverAfterABrokerRestart()
    {
        var publishTimeout = TimeSpan.FromSeconds(5); // room for the recovery on a busy machine
        using var subscriber = await fixture.StartServiceAsync("restart-subscriber", bus =>
            bus.AddSubscription<OrderPlacedIntegrationEvent, RecordingHandler<OrderPlacedIntegrationEvent>>());
        using var publisher = fixture.CreateService("restart-publisher", settings: new Dictionary<string, string?>
        {
            ["EventBus:PublishTimeout"] = publishTimeout.ToString(),
        });
        await publisher.StartAsync();
        var eventBus = publisher.Services.GetRequiredService<IEventBus>();
        var log = subscriber.Services.GetRequiredService<HandlerLog>();
        var before = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "before");
        await eventBus.PublishAsync(before);
        await Eventually.HoldsAsync(() => log.Events.Contains(before), "the event published before the restart");

        await fixture.RabbitMQ.StopAsync();
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EventBusPublishException>(() => eventBus.PublishAsync(new OrderPlacedIntegrationEvent(Guid.NewGuid(), "lost")));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, publishTimeout + TimeSpan.FromSeconds(1.5));

        var during = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "during");
        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>();
            await outbox.ExecuteInTransactionAsync(async ct =>
            {
                db.Orders.Add(new Order { Id = during.OrderId, Product = during.Product });
                await outbox.AddAsync(during, ct);
            });
        }
        // The dispatcher publishes after the commit, in the background: wait until it has tried and failed.
        await Eventually.HoldsAsync(async () => await OutboxStateAsync(during) == IntegrationEventState.PublishedFailed,
            "the dispatcher's failed attempt marked on the row", seconds: 30);

        await fixture.RabbitMQ.StartAsync();

        // At once: the publisher's connection is still recovering, and the publish waits for it.
        var after = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "after");
        await eventBus.PublishAsync(after);
        await Eventually.HoldsAsync(() => log.Events.Contains(after), "the event published right after the restart", seconds: 20);
        await Eventually.HoldsAsync(() => log.Events.Contains(during), "the relayed event", seconds: 20);
        await Eventually.HoldsAsync(async () => await OutboxStateAsync(during) == IntegrationEventState.Published,
            "the relayed row marked Published");
        await publisher.StopAsync();
        await subscriber.StopAsync();
    }

    async Task<IntegrationEventState> OutboxStateAsync(IntegrationEvent @event)
    {
        await using var db = fixture.CreateDbContext();
        return (await db.Set<IntegrationEventLogEntry>().AsNoTracking().SingleAsync(e => e.EventId == @event.Id)).State;
    }
}
