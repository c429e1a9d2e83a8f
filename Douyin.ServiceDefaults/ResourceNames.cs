namespace Douyin.ServiceDefaults;

/// <summary>
/// Logical names shared by the AppHost and the services (source-linked into Douyin.AppHost),
/// so that <c>ConnectionStrings__socialdb</c> and <c>services__social__http__0</c> agree on both sides.
/// </summary>
public static class ResourceNames
{
    public const string Web = "web";
    public const string Feed = "feed";
    public const string Social = "social";
    public const string Chat = "chat";

    public const string Postgres = "pg";
    public const string FeedDb = "feeddb";
    public const string SocialDb = "socialdb";
    public const string ChatDb = "chatdb";

    public const string Cache = "cache";
    public const string Messaging = "messaging";
    public const string Storage = "storage";
    public const string Blobs = "blobs";

    public const string JwtKey = "jwt-key";
    public const string ServiceKey = "service-key";
}
