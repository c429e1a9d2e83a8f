using System.Diagnostics;
using Douyin.EventBus.Tests.Infrastructure;
using Douyin.ServiceDefaults.EventBus;
using Douyin.ServiceDefaults.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.EventBus.Tests;

[Collection(BrokerCollection.Name)]
public sealed class BrokerRestartTests(EventBusFixture fixture)
{
    /// <summary>
    /// One broker outage, three guarantees: publishing fails fast while the broker is down, the outbox relay delivers
    /// what the request could not publish once it is back, and the consumer keeps consuming after the restart.
    /// </summary>
    [Fact]
    public async Task OutboxRelayAndConsumerRecoverAfterABrokerRestart()
    {
        using var subscriber = await fixture.StartServiceAsync("restart-subscriber", bus =>
            bus.AddSubscription<OrderPlacedIntegrationEvent, RecordingHandler<OrderPlacedIntegrationEvent>>());
        using var publisher = fixture.CreateService("restart-publisher");
        await publisher.StartAsync();
        var eventBus = publisher.Services.GetRequiredService<IEventBus>();
        var log = subscriber.Services.GetRequiredService<HandlerLog>();
        var before = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "before");
        await eventBus.PublishAsync(before);
        await Eventually.HoldsAsync(() => log.Events.Contains(before), "the event published before the restart");

        await fixture.RabbitMQ.StopAsync();
        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<EventBusPublishException>(() => eventBus.PublishAsync(new OrderPlacedIntegrationEvent(Guid.NewGuid(), "lost")));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3.5));

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
        await using (var db = fixture.CreateDbContext())
        {
            var entry = await db.Set<IntegrationEventLogEntry>().SingleAsync(e => e.EventId == during.Id);
            Assert.Equal(IntegrationEventState.PublishedFailed, entry.State);
        }

        await fixture.RabbitMQ.StartAsync();

        await Eventually.HoldsAsync(() => log.Events.Contains(during), "the relayed event", seconds: 20);
        var after = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "after");
        await eventBus.PublishAsync(after);
        await Eventually.HoldsAsync(() => log.Events.Contains(after), "the event published after the restart");
        await using (var db = fixture.CreateDbContext())
        {
            await Eventually.HoldsAsync(async () => (await db.Set<IntegrationEventLogEntry>().AsNoTracking().SingleAsync(e => e.EventId == during.Id)).State == IntegrationEventState.Published,
                "the relayed row marked Published");
        }
        await publisher.StopAsync();
        await subscriber.StopAsync();
    }
}
