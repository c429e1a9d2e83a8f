using Douyin.ServiceDefaults.Data;

namespace Douyin.Feed.Infrastructure;

public sealed class FeedDbContext(DbContextOptions<FeedDbContext> options) : DbContext(options)
{
    public DbSet<Video> Videos => Set<Video>();
    public DbSet<Favorite> Favorites => Set<Favorite>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Video>(video =>
        {
            video.ToTable("videos");
            video.HasKey(v => v.Id).HasName("pk_videos");
            video.Property(v => v.Id).ValueGeneratedNever();
            video.Property(v => v.PlayPath).HasMaxLength(1024);
            video.Property(v => v.CoverPath).HasMaxLength(1024);
            // Keyset pagination: a page is one index range scan, however many videos there are.
            video.HasIndex(v => new { v.CreatedAt, v.Id }).IsDescending(true, true).HasDatabaseName("ix_videos_created_at_id");
            video.HasIndex(v => new { v.AuthorId, v.CreatedAt, v.Id }).IsDescending(false, true, true).HasDatabaseName("ix_videos_author_id_created_at_id");
        });

        modelBuilder.Entity<Favorite>(favorite =>
        {
            favorite.ToTable("favorites");
            favorite.HasKey(f => new { f.UserId, f.VideoId }).HasName("pk_favorites");
            favorite.HasIndex(f => f.VideoId).HasDatabaseName("ix_favorites_video_id");
        });

        modelBuilder.UseIntegrationEventLogs();
        modelBuilder.UseSnakeCaseNames();
    }
}
