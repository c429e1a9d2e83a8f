using Douyin.Chat.Infrastructure;
using Douyin.Feed.Infrastructure;
using Douyin.Social.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Douyin.IntegrationTests.Schema;

/// <summary>A model change without its migration (<c>dotnet ef migrations add</c>) fails here, not at a service's start-up.</summary>
public sealed class ModelSnapshotTests
{
    [Fact]
    public void FeedModelHasItsMigration() => AssertNoPendingChanges<FeedDbContext>(o => new(o));

    [Fact]
    public void SocialModelHasItsMigration() => AssertNoPendingChanges<SocialDbContext>(o => new(o));

    [Fact]
    public void ChatModelHasItsMigration() => AssertNoPendingChanges<ChatDbContext>(o => new(o));

    static void AssertNoPendingChanges<TContext>(Func<DbContextOptions<TContext>, TContext> create) where TContext : DbContext
    {
        using var context = create(new DbContextOptionsBuilder<TContext>().UseNpgsql("Host=unused").Options);
        Assert.False(context.Database.HasPendingModelChanges(), $"{typeof(TContext).Name} has changes no migration has: run dotnet ef migrations add.");
    }
}
