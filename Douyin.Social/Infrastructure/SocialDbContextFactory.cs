using Douyin.ServiceDefaults.Data;

namespace Douyin.Social.Infrastructure;

/// <summary>For <c>dotnet ef migrations add &lt;Name&gt; --project Douyin.Social</c>.</summary>
internal sealed class SocialDbContextFactory : NpgsqlDesignTimeDbContextFactory<SocialDbContext>;
