using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Douyin.EventBus.Outbox;

/// <summary>
/// The transactional outbox of one service DbContext (scoped). An event is saved in the same transaction as the change
/// it announces, handed after the commit to <c>OutboxDispatcher</c>, which publishes it at once in the background, and
/// otherwise published by <c>OutboxRelay</c>, so a committed change is announced at least once and a rolled-back one
/// never:
/// <code>
/// await outbox.ExecuteInTransactionAsync(async ct =>
/// {
///     db.Follows.Add(follow);
///     await outbox.AddAsync(new UserFollowedIntegrationEvent(follow.FollowerId, follow.FolloweeId), ct);
/// }, cancellationToken);
/// </code>
/// </summary>
public interface IIntegrationEventOutbox
{
    /// <summary>
    /// Adds the event's row to the DbContext's unit of work: it commits with the next <c>SaveChangesAsync</c> or the
    /// surrounding transaction, and <see cref="PublishPending"/> dispatches it afterwards.
    /// </summary>
    Task AddAsync(IntegrationEvent @event, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="work"/>, saves the DbContext and commits in one transaction inside the execution strategy
    /// (Npgsql's retrying strategy rejects a transaction opened outside it), then dispatches the events it added. On a
    /// transient failure the strategy clears the change tracker and runs <paramref name="work"/> again, so the work
    /// must make all its reads and changes itself.
    /// </summary>
    Task ExecuteInTransactionAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands the events added since the last call, once their transaction has committed, to the dispatcher, which
    /// publishes them without the caller waiting for the broker. Nothing is thrown: the change is committed, and what
    /// the dispatcher cannot publish the relay delivers later.
    /// </summary>
    void PublishPending();
}

public sealed class IntegrationEventOutbox<TContext>(
    TContext db,
    OutboxDispatcher<TContext> dispatcher,
    IOptions<EventBusSubscriptionInfo> subscriptionInfo,
    TimeProvider timeProvider,
    ILogger<IntegrationEventOutbox<TContext>> logger) : IIntegrationEventOutbox where TContext : DbContext
{
    readonly List<(IntegrationEventLogEntry Entry, IntegrationEvent Event)> _pending = [];

    public async Task AddAsync(IntegrationEvent @event, CancellationToken cancellationToken = default)
    {
        var info = subscriptionInfo.Value;
        var entry = new IntegrationEventLogEntry
        {
            EventId = @event.Id,
            EventTypeName = info.GetKnownEventName(@event.GetType()),
            Content = JsonSerializer.Serialize(@event, @event.GetType(), info.JsonSerializerOptions),
            State = IntegrationEventState.NotPublished,
            CreationTime = timeProvider.GetUtcNow(),
        };
        await db.Set<IntegrationEventLogEntry>().AddAsync(entry, cancellationToken);
        _pending.Add((entry, @event));
    }

    public async Task ExecuteInTransactionAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        var attempt = 0;
        try
        {
            await strategy.ExecuteAsync(async () =>
            {
                if (attempt++ > 0)
                {
                    db.ChangeTracker.Clear();
                    _pending.Clear();
                }
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                await work(cancellationToken);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            });
        }
        catch
        {
            // Rolled back: its events must not linger in the unit of work, or a later SaveChanges would commit them.
            foreach (var (entry, _) in _pending)
            {
                db.Entry(entry).State = EntityState.Detached;
            }
            _pending.Clear();
            throw;
        }
        PublishPending();
    }

    public void PublishPending()
    {
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("Publish integration events after the transaction that saved them has committed.");
        }

        // Rows not saved yet stay pending; publishing them would announce a change that may never commit.
        var saved = _pending.Where(p => db.Entry(p.Entry).State != EntityState.Added).ToArray();
        _pending.RemoveAll(p => saved.Contains(p));
        foreach (var (entry, @event) in saved)
        {
            // Detached, so that the caller's later SaveChanges does not touch the row the dispatcher marks.
            db.Entry(entry).State = EntityState.Detached;
            if (!dispatcher.TryDispatch(@event))
            {
                logger.LogWarning("The outbox dispatcher is full or stopped; the relay will publish {EventId}", @event.Id);
            }
        }
    }
}
