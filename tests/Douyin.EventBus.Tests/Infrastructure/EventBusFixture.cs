using Aspire.Hosting;
using Douyin.Tests.Shared;
using System.Collections.Concurrent;
using System.Diagnostics;
using Douyin.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace Douyin.EventBus.Tests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class BrokerCollection : ICollectionFixture<EventBusFixture>
{
    public const string Name = "RabbitMQ and PostgreSQL";
}

/// <summary>One RabbitMQ node and one migrated PostgreSQL database for all tests, and a recorder of finished activities.</summary>
public sealed class EventBusFixture : IAsyncLifetime
{
    public static readonly ActivitySource TestSource = new("Douyin.EventBus.Tests");

    readonly ActivityListener _listener;

    public EventBusFixture()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("RabbitMQ.Client", StringComparison.Ordinal) || source.Name.StartsWith("Douyin.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = StoppedActivities.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public LocalServer RabbitMQ { get; private set; } = null!;

    public LocalServer Postgres { get; private set; } = null!;

    public ConcurrentQueue<Activity> StoppedActivities { get; } = new();

    public async Task InitializeAsync()
    {
        var rabbitMQ = LocalServer.StartAsync(b => b.AddRabbitMQServer("messaging"));
        var postgres = LocalServer.StartAsync(b => b.AddPostgresServer("pg").AddDatabase("eventbus"));
        (RabbitMQ, Postgres) = (await rabbitMQ, await postgres);
        await using var db = CreateDbContext();
        await db.Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await RabbitMQ.DisposeAsync();
        await Postgres.DisposeAsync();
    }

    public TestDbContext CreateDbContext() => new(new DbContextOptionsBuilder<TestDbContext>()
        .UseNpgsql(Postgres.ConnectionString)
        .Options);

    /// <summary>
    /// A "service" with its own queue, the outbox over <see cref="TestDbContext"/>, every test event registered, and
    /// short delays so retries, recovery and the relay fit in a test; <paramref name="settings"/> override any of them.
    /// </summary>
    public IHost CreateService(
        string queue, Action<IEventBusBuilder>? subscribe = null, string? connectionString = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = queue });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:eventbus"] = connectionString ?? RabbitMQ.ConnectionString,
            ["ConnectionStrings:testdb"] = Postgres.ConnectionString,
            ["Aspire:RabbitMQ:Client:ConnectionFactory:NetworkRecoveryInterval"] = "00:00:00.500",
            ["EventBus:RetryCount"] = "3",
            ["EventBus:RetryDelay"] = "00:00:00.050",
            ["EventBus:OutboxRelayInterval"] = "00:00:00.250",
            ["EventBus:OutboxRelayDelay"] = "00:00:01",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());

        var eventBus = builder.AddRabbitMqEventBus("eventbus")
            .AddEvent<OrderPlacedIntegrationEvent>()
            .AddEvent<PointsAwardedIntegrationEvent>()
            .AddEvent<WorkRequestedIntegrationEvent>();
        subscribe?.Invoke(eventBus);
        builder.AddNpgsqlDbContext<TestDbContext>("testdb");
        builder.Services.AddIntegrationEventOutbox<TestDbContext>();
        builder.Services.AddSingleton<HandlerLog>();
        return builder.Build();
    }

    /// <summary>Starts a service and waits until its consumer is attached, so nothing published afterwards is missed.</summary>
    public async Task<IHost> StartServiceAsync(
        string queue, Action<IEventBusBuilder>? subscribe = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var host = CreateService(queue, subscribe, settings: settings);
        await host.StartAsync();
        await Eventually.HoldsAsync(async () => await ConsumerCountAsync(queue) > 0, $"a consumer on {queue}");
        return host;
    }

    public async Task<uint> ConsumerCountAsync(string queue) => (await QueueAsync(queue)).Consumers;

    /// <summary>What the broker counts on <c>queue</c>: messages ready for a consumer (not those delivered and unacknowledged), and consumers.</summary>
    public async Task<(uint Ready, uint Consumers)> QueueAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(RabbitMQ.ConnectionString) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue);
            return (declared.MessageCount, declared.ConsumerCount);
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
        {
            return (0, 0); // not declared yet
        }
    }

    /// <summary>Takes the next message of <c>queue</c>, or null when it is empty.</summary>
    public async Task<BasicGetResult?> GetMessageAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(RabbitMQ.ConnectionString) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await channel.BasicGetAsync(queue, autoAck: true);
    }
}

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting for {what}.");
            }
            await Task.Delay(50);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, string what, double seconds = 15) =>
        HoldsAsync(() => Task.FromResult(condition()), what, seconds);
}
