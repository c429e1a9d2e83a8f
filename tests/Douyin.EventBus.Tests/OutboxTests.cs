using Douyin.EventBus.Tests.Infrastructure;
using Douyin.EventBus;
using Douyin.EventBus.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Douyin.EventBus.Tests;

[Collection(BrokerCollection.Name)]
public sealed class OutboxTests(EventBusFixture fixture)
{
    // Both relays (every service runs one over the shared table) leave rows alone for a minute.
    internal static readonly Dictionary<string, string?> SlowRelay = new() { ["EventBus:OutboxRelayDelay"] = "00:01:00" };

    [Fact]
    public async Task EventCommitsWithTheBusinessChangeAndIsPublishedInTheBackgroundRightAfter()
    {
        // Both relays (every service runs one over the shared table) leave rows alone for a minute, so only the
        // dispatcher can publish the event within the test, and it must have published it once.
        using var subscriber = await fixture.StartServiceAsync("outbox-subscriber", bus =>
            bus.AddSubscription<OrderPlacedIntegrationEvent, RecordingHandler<OrderPlacedIntegrationEvent>>(), SlowRelay);
        using var publisher = fixture.CreateService("outbox-publisher", settings: SlowRelay);
        await publisher.StartAsync();
        var order = new Order { Id = Guid.NewGuid(), Product = "camera" };
        var placed = new OrderPlacedIntegrationEvent(order.Id, order.Product);

        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            await scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>().ExecuteInTransactionAsync(async ct =>
            {
                db.Orders.Add(order);
                await scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>().AddAsync(placed, ct);
            });
        }

        await using var check = fixture.CreateDbContext();
        Assert.True(await check.Orders.AnyAsync(o => o.Id == order.Id));
        var log = subscriber.Services.GetRequiredService<HandlerLog>();
        await Eventually.HoldsAsync(() => log.Events.Contains(placed), "the published event");
        await Eventually.HoldsAsync(async () => (await check.Set<IntegrationEventLogEntry>().AsNoTracking().SingleAsync(e => e.EventId == placed.Id)).State == IntegrationEventState.Published,
            "the row marked Published");
        var entry = await check.Set<IntegrationEventLogEntry>().AsNoTracking().SingleAsync(e => e.EventId == placed.Id);
        Assert.Equal(1, entry.TimesSent);
        Assert.Equal(nameof(OrderPlacedIntegrationEvent), entry.EventTypeName);
        await publisher.StopAsync();
        await subscriber.StopAsync();
    }

    [Fact]
    public async Task EventsTheBrokerRefusesAfterTheCommitAreLeftToTheRelay()
    {
        // A broker that is not there: the dispatcher's publish fails, the row is marked failed for the relay, and the
        // committing caller saw no error.
        using var publisher = fixture.CreateService("outbox-no-broker", connectionString: "amqp://guest:guest@127.0.0.1:1/", settings: SlowRelay);
        await publisher.StartAsync();
        var placed = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "filter");

        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>();
            await outbox.ExecuteInTransactionAsync(async ct =>
            {
                db.Orders.Add(new Order { Id = placed.OrderId, Product = placed.Product });
                await outbox.AddAsync(placed, ct);
            });
        }

        await using var check = fixture.CreateDbContext();
        await Eventually.HoldsAsync(async () => (await check.Set<IntegrationEventLogEntry>().AsNoTracking().SingleAsync(e => e.EventId == placed.Id)).State == IntegrationEventState.PublishedFailed,
            "the row marked PublishedFailed");
        await publisher.StopAsync();
    }

    [Fact]
    public async Task RolledBackChangeLeavesNoEvent()
    {
        using var publisher = fixture.CreateService("outbox-rollback");
        var order = new Order { Id = Guid.NewGuid(), Product = "tripod" };
        var placed = new OrderPlacedIntegrationEvent(order.Id, order.Product);

        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            var outbox = scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>();
            await Assert.ThrowsAsync<InvalidOperationException>(() => outbox.ExecuteInTransactionAsync(async ct =>
            {
                db.Orders.Add(order);
                await outbox.AddAsync(placed, ct);
                await db.SaveChangesAsync(ct); // the rows reach the database, inside the transaction
                throw new InvalidOperationException("out of stock");
            }));

            // Nothing of the failed attempt lingers in the unit of work either.
            await db.SaveChangesAsync();
        }

        await using var check = fixture.CreateDbContext();
        Assert.False(await check.Orders.AnyAsync(o => o.Id == order.Id));
        Assert.False(await check.Set<IntegrationEventLogEntry>().AnyAsync(e => e.EventId == placed.Id));
    }

    [Fact]
    public async Task EventLeftUnpublishedByACrashedRequestIsRelayed()
    {
        using var subscriber = await fixture.StartServiceAsync("relay-subscriber", bus =>
            bus.AddSubscription<OrderPlacedIntegrationEvent, RecordingHandler<OrderPlacedIntegrationEvent>>());
        using var publisher = fixture.CreateService("relay-publisher");
        await publisher.StartAsync();
        var placed = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "lens");

        // Committed, but the request "crashes" before PublishPending: the row stays NotPublished.
        await using (var scope = publisher.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
            db.Orders.Add(new Order { Id = placed.OrderId, Product = placed.Product });
            await scope.ServiceProvider.GetRequiredService<IIntegrationEventOutbox>().AddAsync(placed);
            await db.SaveChangesAsync();
        }

        var log = subscriber.Services.GetRequiredService<HandlerLog>();
        await Eventually.HoldsAsync(() => log.Events.Contains(placed), "the relayed event");
        await using var check = fixture.CreateDbContext();
        await Eventually.HoldsAsync(async () => (await check.Set<IntegrationEventLogEntry>().AsNoTracking().SingleAsync(e => e.EventId == placed.Id)).State == IntegrationEventState.Published,
            "the relayed row marked Published");
        await publisher.StopAsync();
        await subscriber.StopAsync();
    }

    [Fact]
    public async Task RedeliveredEventChangesTheHandlersStateOnce()
    {
        using var service = await fixture.StartServiceAsync("inbox", bus =>
            bus.AddSubscription<PointsAwardedIntegrationEvent, PointsAwardedHandler>());
        var account = new Account { Id = Guid.NewGuid() };
        await using (var db = fixture.CreateDbContext())
        {
            db.Accounts.Add(account);
            await db.SaveChangesAsync();
        }
        var awarded = new PointsAwardedIntegrationEvent(account.Id, 5);
        var eventBus = service.Services.GetRequiredService<IEventBus>();

        await eventBus.PublishAsync(awarded);
        await eventBus.PublishAsync(awarded); // the same event id, as after a relay or redelivery

        var log = service.Services.GetRequiredService<HandlerLog>();
        await Eventually.HoldsAsync(() => log.Events.Length == 2, "both deliveries");
        await using var check = fixture.CreateDbContext();
        Assert.Equal(5, (await check.Accounts.SingleAsync(a => a.Id == account.Id)).Points);
        Assert.Equal(1, await check.Set<Douyin.EventBus.Inbox.ProcessedIntegrationEvent>().CountAsync(p => p.EventId == awarded.Id));
    }
}
