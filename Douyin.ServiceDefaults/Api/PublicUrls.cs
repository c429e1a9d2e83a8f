using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Douyin.ServiceDefaults.Api;

/// <summary>
/// Media and profile images are stored as paths ("/media/videos/1.mp4") and made absolute when a public answer
/// is written, against <c>Douyin:PublicBaseUrl</c> when configured, otherwise against the origin the client used
/// (Douyin.Web forwards it in X-Forwarded-Host/Proto), so a phone on the LAN gets URLs it can reach.
/// </summary>
public sealed class PublicUrls(IConfiguration configuration)
{
    readonly string? _configuredOrigin = configuration["Douyin:PublicBaseUrl"]?.TrimEnd('/') is { Length: > 0 } origin ? origin : null;

    public string Origin(HttpContext context) =>
        _configuredOrigin ?? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";

    /// <summary>The user card with its image paths made absolute for this client.</summary>
    public User Absolute(HttpContext context, User user) => user with
    {
        Avatar = Absolute(context, user.Avatar),
        BackgroundImage = Absolute(context, user.BackgroundImage),
    };

    public string Absolute(HttpContext context, string pathOrUrl) =>
        pathOrUrl.Length == 0 || pathOrUrl.Contains("://", StringComparison.Ordinal)
            ? pathOrUrl
            : Origin(context) + (pathOrUrl.StartsWith('/') ? pathOrUrl : "/" + pathOrUrl);
}
