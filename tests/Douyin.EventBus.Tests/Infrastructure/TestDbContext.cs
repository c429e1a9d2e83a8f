using Douyin.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Douyin.EventBus.Tests.Infrastructure;

/// <summary>A service's DbContext: business tables plus the outbox and inbox, migrated the way services do it.</summary>
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
        modelBuilder.UseSnakeCaseNames();
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

[DbContext(typeof(TestDbContext))]
[Migration("20261121000000_InitialCreate")]
public sealed class InitialCreate : Migration
{
    protected override void Up(MigrationBuilder migrationBuilder)
    {
        migrationBuilder.CreateTable(
            name: "orders",
            columns: table => new
            {
                id = table.Column<Guid>(type: "uuid", nullable: false),
                product = table.Column<string>(type: "text", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_orders", x => x.id));
        migrationBuilder.CreateTable(
            name: "accounts",
            columns: table => new
            {
                id = table.Column<Guid>(type: "uuid", nullable: false),
                points = table.Column<int>(type: "integer", nullable: false),
            },
            constraints: table => table.PrimaryKey("pk_accounts", x => x.id));
        migrationBuilder.CreateIntegrationEventLogTable();
        migrationBuilder.CreateIntegrationEventInboxTable();
    }
}
