using Douyin.ServiceDefaults.Data;

namespace Douyin.Feed.Infrastructure;

/// <summary>For <c>dotnet ef migrations add &lt;Name&gt; --project Douyin.Feed</c>.</summary>
internal sealed class FeedDbContextFactory : NpgsqlDesignTimeDbContextFactory<FeedDbContext>;
