using Douyin.ServiceDefaults.Data;

namespace Douyin.Feed.Infrastructure;

public sealed class FeedDbContext(DbContextOptions<FeedDbContext> options) : DbContext(options)
{
    public DbSet<Video> Videos => Set<Video>();
    public DbSet<Favorite> Favorites => Set<Favorite>();
    public DbSet<Comment> Comments => Set<Comment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Video>(video =>
        {
            video.ToTable("videos");
            video.HasKey(v => v.Id).HasName("pk_videos");
            video.Property(v => v.Id).ValueGeneratedNever();
            video.Property(v => v.PlayPath).HasMaxLength(1024);
            video.Property(v => v.RenditionPath).HasMaxLength(1024);
            video.Ignore(v => v.StreamPath);
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
            // The favorite list: one user's likes, newest first.
            favorite.HasIndex(f => new { f.UserId, f.CreatedAt, f.VideoId }).IsDescending(false, true, true)
                .HasDatabaseName("ix_favorites_user_id_created_at_video_id");
        });

        modelBuilder.Entity<Comment>(comment =>
        {
            comment.ToTable("comments");
            comment.HasKey(c => c.Id).HasName("pk_comments");
            comment.Property(c => c.Id).ValueGeneratedNever();
            // The comment list: one video's comments, newest first.
            comment.HasIndex(c => new { c.VideoId, c.CreatedAt, c.Id }).IsDescending(false, true, true)
                .HasDatabaseName("ix_comments_video_id_created_at_id");
        });

        modelBuilder.UseIntegrationEventLogs();
        // Rendition jobs are applied once per event (Renditions/VideoRenditionRequestedHandler).
        modelBuilder.UseIntegrationEventInbox();
        modelBuilder.UseSnakeCaseNames();
    }
}
