namespace Douyin.Web.Client;

/// <summary>
/// The browser client (ClientApp/, built into wwwroot/app): its index.html answers <c>/</c> and every client-side
/// route, so a reload or a shared link opens the same screen. The server's own paths are excluded, so a miss there
/// stays a 404 rather than a page.
/// </summary>
public static class ClientEndpoints
{
    public const string IndexFile = "app/index.html";

    /// <summary>First path segments that belong to the server: the API, media, hubs, static files, health probes.</summary>
    public static readonly IReadOnlyList<string> ServerSegments = ["douyin", "media", "hubs", "assets", "app", "health", "alive"];

    public static IEndpointRouteBuilder MapClient(this IEndpointRouteBuilder app)
    {
        // "/" on its own: a catch-all's constraints refuse an empty path.
        app.MapFallbackToFile("/", IndexFile);
        // Any other path that is not a file name and does not start with a server segment.
        app.MapFallbackToFile($"{{*path:nonfile:regex(^(?!({string.Join('|', ServerSegments)})(/|$)))}}", IndexFile);
        return app;
    }
}
