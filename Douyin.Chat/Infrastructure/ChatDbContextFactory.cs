using Douyin.ServiceDefaults.Data;

namespace Douyin.Chat.Infrastructure;

/// <summary>For <c>dotnet ef migrations add &lt;Name&gt; --project Douyin.Chat</c>.</summary>
internal sealed class ChatDbContextFactory : NpgsqlDesignTimeDbContextFactory<ChatDbContext>;
