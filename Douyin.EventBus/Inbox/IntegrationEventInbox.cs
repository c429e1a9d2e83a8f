using Douyin.EventBus.Inbox;

namespace Microsoft.EntityFrameworkCore;

/// <summary>
/// Idempotent consumption: the bus delivers an event at least once (outbox relay, retries, redeliveries), so a handler
/// records the event in its own transaction and applies it only the first time:
/// <code>
/// public async Task HandleAsync(VideoLikedIntegrationEvent @event, CancellationToken cancellationToken) =>
///     await outbox.ExecuteInTransactionAsync(async ct =>
///     {
///         if (!await db.TryBeginProcessingAsync(@event.Id, nameof(VideoLikedIntegrationEventHandler), ct))
///         {
///             return; // already applied
///         }
///         await db.Videos.Where(v => v.Id == @event.VideoId)
///             .ExecuteUpdateAsync(s => s.SetProperty(v => v.FavoriteCount, v => v.FavoriteCount + 1), ct);
///     }, cancellationToken);
/// </code>
/// (Any transaction run inside <c>Database.CreateExecutionStrategy()</c> works; the outbox's is convenient.)
/// </summary>
public static class IntegrationEventInbox
{
    /// <summary>Maps the inbox table <c>integration_event_inbox</c> into the service's DbContext (call in OnModelCreating).</summary>
    public static ModelBuilder UseIntegrationEventInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ProcessedIntegrationEvent>(inbox =>
        {
            inbox.ToTable(ProcessedIntegrationEvent.TableName);
            inbox.HasKey(e => new { e.EventId, e.Consumer }).HasName("pk_integration_event_inbox");
            inbox.Property(e => e.EventId).HasColumnName("event_id");
            inbox.Property(e => e.Consumer).HasColumnName("consumer").HasMaxLength(200);
            inbox.Property(e => e.ProcessedAt).HasColumnName("processed_at");
        });
        return modelBuilder;
    }

    /// <summary>
    /// Records that <paramref name="consumer"/> is applying <paramref name="eventId"/>; false if it already has.
    /// Call it inside the transaction that applies the event, so a rollback also forgets the event and a retry can
    /// apply it; a concurrent redelivery waits on the row until this transaction ends, then gets false.
    /// </summary>
    public static async Task<bool> TryBeginProcessingAsync(this DbContext db, Guid eventId, string consumer, CancellationToken cancellationToken = default)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException(
                "TryBeginProcessingAsync must run inside the transaction that applies the event, or a failed handler would never retry it.");
        }
        var inserted = await db.Database.ExecuteSqlAsync(
            $"INSERT INTO integration_event_inbox (event_id, consumer, processed_at) VALUES ({eventId}, {consumer}, now()) ON CONFLICT DO NOTHING",
            cancellationToken);
        return inserted == 1;
    }
}
