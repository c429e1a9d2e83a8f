using Douyin.EventBus.Outbox;

namespace Microsoft.EntityFrameworkCore;

public static class IntegrationEventLogModel
{
    /// <summary>The relay scans only unpublished rows; a partial index keeps that cheap however many were published.</summary>
    const string UnpublishedIndex = "ix_integration_event_log_unpublished";
    const string UnpublishedFilter = "state <> 2";

    /// <summary>Maps the outbox table <c>integration_event_log</c> into the service's DbContext (call in OnModelCreating).</summary>
    public static ModelBuilder UseIntegrationEventLogs(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IntegrationEventLogEntry>(log =>
        {
            log.ToTable(IntegrationEventLogEntry.TableName);
            log.HasKey(e => e.EventId).HasName("pk_integration_event_log");
            log.Property(e => e.EventId).HasColumnName("event_id").ValueGeneratedNever();
            log.Property(e => e.EventTypeName).HasColumnName("event_type_name").HasMaxLength(200);
            log.Property(e => e.Content).HasColumnName("content").HasColumnType("jsonb");
            log.Property(e => e.State).HasColumnName("state");
            log.Property(e => e.TimesSent).HasColumnName("times_sent");
            log.Property(e => e.CreationTime).HasColumnName("creation_time");
            log.HasIndex(e => e.CreationTime).HasDatabaseName(UnpublishedIndex).HasFilter(UnpublishedFilter);
        });
        return modelBuilder;
    }
}
