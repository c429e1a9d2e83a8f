using System.Diagnostics;
using System.Text;
using Douyin.EventBus.Tests.Infrastructure;
using Douyin.EventBus;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Douyin.EventBus.Tests;

[Collection(BrokerCollection.Name)]
public sealed class EventBusTests(EventBusFixture fixture)
{
    [Fact]
    public async Task PublishedEventReachesAnotherServiceUnderThePublishersTrace()
    {
        using var subscriber = await fixture.StartServiceAsync("trace-subscriber", bus =>
            bus.AddSubscription<OrderPlacedIntegrationEvent, RecordingHandler<OrderPlacedIntegrationEvent>>());
        using var publisher = fixture.CreateService("trace-publisher");
        var log = subscriber.Services.GetRequiredService<HandlerLog>();
        var placed = new OrderPlacedIntegrationEvent(Guid.NewGuid(), "phone");

        ActivityTraceId requestTrace;
        using (var request = EventBusFixture.TestSource.StartActivity("POST /orders"))
        {
            requestTrace = request!.TraceId;
            await publisher.Services.GetRequiredService<IEventBus>().PublishAsync(placed);
        }

        await Eventually.HoldsAsync(() => !log.Calls.IsEmpty, "the subscriber's handler");
        var (received, handling) = Assert.Single(log.Calls);
        Assert.Equal(placed, received);
        Assert.NotNull(handling);
        Assert.Equal("Douyin.EventBus", handling.Source.Name);
        Assert.Equal(requestTrace, handling.TraceId);
        var publish = Assert.Single(fixture.StoppedActivities, a => a.Source.Name == "RabbitMQ.Client.Publisher" && a.TraceId == requestTrace);
        Assert.Equal(publish.SpanId, handling.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, handling.Kind);
        await subscriber.StopAsync();
    }

    [Fact]
    public async Task PublishFailsFastWhenTheBrokerIsUnreachable()
    {
        using var service = fixture.CreateService("unreachable", connectionString: $"amqp://guest:guest@127.0.0.1:{Douyin.Tests.Shared.LocalServer.FreePort()}");
        var eventBus = service.Services.GetRequiredService<IEventBus>();

        var stopwatch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<EventBusPublishException>(() => eventBus.PublishAsync(new OrderPlacedIntegrationEvent(Guid.NewGuid(), "phone")));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(3.5)); // PublishTimeout is 2 s; connecting retries for ~30 s
        Assert.Contains("OrderPlacedIntegrationEvent", failure.Message);
    }

    [Fact]
    public async Task FailingHandlerDeadLettersItsMessageAfterRetriesWhileTheNextMessageIsHandled()
    {
        using var service = await fixture.StartServiceAsync("failing-handler", bus =>
            bus.AddSubscription<WorkRequestedIntegrationEvent, WorkRequestedHandler>());
        var eventBus = service.Services.GetRequiredService<IEventBus>();
        var log = service.Services.GetRequiredService<HandlerLog>();
        var bad = new WorkRequestedIntegrationEvent("bad", Fail: true);
        var good = new WorkRequestedIntegrationEvent("good", Fail: false);

        await eventBus.PublishAsync(bad);
        await eventBus.PublishAsync(good);

        await Eventually.HoldsAsync(() => log.Events.Contains(good), "the good message");
        BasicGetResult? dead = null;
        await Eventually.HoldsAsync(async () => (dead = await fixture.GetMessageAsync("failing-handler.dead")) is not null, "the dead-lettered message");
        Assert.Equal(bad.Id.ToString(), dead!.BasicProperties.MessageId);
        Assert.Equal(1 + 3, log.Events.Count(e => e == bad)); // the first attempt and RetryCount retries
        Assert.Null(await fixture.GetMessageAsync("failing-handler.dead"));
        await service.StopAsync();
    }

    [Fact]
    public async Task PoisonMessageIsDeadLetteredAtOnce()
    {
        using var service = await fixture.StartServiceAsync("poison", bus =>
            bus.AddSubscription<WorkRequestedIntegrationEvent, WorkRequestedHandler>());
        var log = service.Services.GetRequiredService<HandlerLog>();

        await using (var connection = await new ConnectionFactory { Uri = new Uri(fixture.RabbitMQ.ConnectionString) }.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            var properties = new BasicProperties { MessageId = "poison-1", Type = nameof(WorkRequestedIntegrationEvent) };
            await channel.BasicPublishAsync("douyin_event_bus", nameof(WorkRequestedIntegrationEvent), mandatory: false, properties, Encoding.UTF8.GetBytes("{not json"));
        }
        var good = new WorkRequestedIntegrationEvent("after poison", Fail: false);
        await service.Services.GetRequiredService<IEventBus>().PublishAsync(good);

        BasicGetResult? dead = null;
        await Eventually.HoldsAsync(async () => (dead = await fixture.GetMessageAsync("poison.dead")) is not null, "the poison message in poison.dead");
        Assert.Equal("poison-1", dead!.BasicProperties.MessageId);
        await Eventually.HoldsAsync(() => log.Events.Contains(good), "the message after the poison one");
        Assert.Equal([good], log.Events); // no handler ever saw the poison
        await service.StopAsync();
    }
}
