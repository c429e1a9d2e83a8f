using Douyin.ServiceDefaults.Data;

namespace Douyin.Chat.Infrastructure;

public sealed class ChatDbContext(DbContextOptions<ChatDbContext> options) : DbContext(options)
{
    public DbSet<ChatMessage> Messages => Set<ChatMessage>();
    public DbSet<Conversation> Conversations => Set<Conversation>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<ChatMessage>(message =>
        {
            message.ToTable("messages");
            message.HasKey(m => m.Id);
            message.Property(m => m.Id).ValueGeneratedNever();
            message.Property(m => m.Content).HasMaxLength(ChatMessage.MaxContentLength * 2); // UTF-16 units: a character may take two
            // History and the latest message read one conversation in time order; unique, since the time is the key.
            message.HasIndex(m => new { m.LowUserId, m.HighUserId, m.CreateTime }).IsUnique();
        });

        modelBuilder.Entity<Conversation>(conversation =>
        {
            conversation.ToTable("conversations");
            conversation.HasKey(c => new { c.LowUserId, c.HighUserId });
        });

        modelBuilder.UseSnakeCaseNames();
    }
}
