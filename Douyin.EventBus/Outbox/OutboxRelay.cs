using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Douyin.EventBus.Outbox;

/// <summary>
/// Publishes outbox rows that the committing request did not (it crashed, or the broker was down): every
/// <see cref="EventBusOptions.OutboxRelayInterval"/>, rows not yet Published and older than
/// <see cref="EventBusOptions.OutboxRelayDelay"/>.
/// </summary>
internal sealed class OutboxRelay<TContext>(
    IServiceScopeFactory scopeFactory,
    IOptions<EventBusOptions> options,
    IOptions<EventBusSubscriptionInfo> subscriptionInfo,
    TimeProvider timeProvider,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService where TContext : DbContext
{
    const int BatchSize = 100;

    // The row locks make replicas relaying at once take different rows (SKIP LOCKED) instead of publishing the same
    // ones. state <> 2 (Published) is a literal so the planner can use the partial index.
    const string SelectBatchSql = $$"""
        SELECT * FROM {{IntegrationEventLogEntry.TableName}}
        WHERE state <> 2 AND creation_time < {0}
        ORDER BY creation_time
        LIMIT {1}
        FOR UPDATE SKIP LOCKED
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.OutboxRelayInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    while (await RelayBatchAsync(stoppingToken) == BatchSize)
                    {
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Relaying unpublished integration events of {DbContext} failed", typeof(TContext).Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Returns how many rows it published, so a fully published batch is followed by another at once.</summary>
    async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var eventBus = scope.ServiceProvider.GetRequiredService<IEventBus>();
        var info = subscriptionInfo.Value;
        var cutoff = timeProvider.GetUtcNow() - options.Value.OutboxRelayDelay;

        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var entries = await db.Set<IntegrationEventLogEntry>().FromSqlRaw(SelectBatchSql, cutoff, BatchSize).ToListAsync(ct);
            var published = 0;
            foreach (var entry in entries)
            {
                if (!info.EventTypes.TryGetValue(entry.EventTypeName, out var eventType)
                    || JsonSerializer.Deserialize(entry.Content, eventType, info.JsonSerializerOptions) is not IntegrationEvent @event)
                {
                    logger.LogError("Outbox event {EventId} has an unregistered type {EventType}; call AddEvent for it", entry.EventId, entry.EventTypeName);
                    entry.State = IntegrationEventState.PublishedFailed;
                    continue;
                }

                entry.TimesSent++;
                try
                {
                    await eventBus.PublishAsync(@event, ct);
                    entry.State = IntegrationEventState.Published;
                    published++;
                }
                catch (EventBusPublishException ex)
                {
                    logger.LogWarning(ex, "Relaying {EventId} failed; retrying later", entry.EventId);
                    entry.State = IntegrationEventState.PublishedFailed;
                    break;
                }
            }
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return published;
        }, cancellationToken);
    }
}
