using Microsoft.EntityFrameworkCore;

namespace Douyin.EventBus.Tests.Infrastructure;

/// <summary>A service's DbContext: business tables plus the outbox and inbox (created from the model: no migrations to test here).</summary>
public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options)
{
    public DbSet<Order> Orders => Set<Order>();

    public DbSet<Account> Accounts => Set<Account>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Order>().ToTable("orders");
        modelBuilder.Entity<Account>().ToTable("accounts");
        modelBuilder.UseIntegrationEventLogs();
        modelBuilder.UseIntegrationEventInbox();
    }
}

public sealed class Order
{
    public Guid Id { get; set; }

    public required string Product { get; set; }
}

public sealed class Account
{
    public Guid Id { get; set; }

    public int Points { get; set; }
}
