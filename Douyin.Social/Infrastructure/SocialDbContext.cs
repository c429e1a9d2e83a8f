using Douyin.ServiceDefaults.Data;

namespace Douyin.Social.Infrastructure;

public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Follow> Follows => Set<Follow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Account>(account =>
        {
            account.ToTable("users");
            account.HasKey(a => a.Id);
            account.Property(a => a.Id).ValueGeneratedNever();
            account.Property(a => a.Name).HasMaxLength(Account.MaxNameLength * 2); // UTF-16 units of 32 characters
            account.Property(a => a.NormalizedName).HasMaxLength(Account.MaxNameLength * 4);
            account.HasIndex(a => a.NormalizedName).IsUnique();
            account.Property(a => a.PasswordHash).HasMaxLength(256);
            account.Property(a => a.Signature).HasMaxLength(512);
            account.Property(a => a.Avatar).HasMaxLength(1024);
            account.Property(a => a.BackgroundImage).HasMaxLength(1024);
        });

        modelBuilder.Entity<Follow>(follow =>
        {
            // The key finds "whom does X follow" and makes a repeated follow a conflict; the index finds "who follows X".
            follow.HasKey(f => new { f.FollowerId, f.FolloweeId });
            follow.HasIndex(f => new { f.FolloweeId, f.CreatedAt });
            follow.HasOne<Account>().WithMany().HasForeignKey(f => f.FollowerId).OnDelete(DeleteBehavior.Cascade);
            follow.HasOne<Account>().WithMany().HasForeignKey(f => f.FolloweeId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.UseIntegrationEventLogs();
        modelBuilder.UseIntegrationEventInbox();
        modelBuilder.UseSnakeCaseNames();
    }
}
