using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Douyin.Api;

/// <summary>
/// Media and profile images are stored as paths ("/media/videos/1.mp4") and made absolute when a public answer
/// is written, against <c>Douyin:PublicBaseUrl</c> when configured, otherwise against the origin the client used
/// (Douyin.Web forwards it in X-Forwarded-Host/Proto), so a phone on the LAN gets URLs it can reach.
/// </summary>
public sealed class PublicUrls(IConfiguration configuration)
{
    readonly string? _configuredOrigin = configuration["Douyin:PublicBaseUrl"]?.TrimEnd('/') is { Length: > 0 } origin ? origin : null;

    static readonly object s_originKey = new();

    /// <summary>The origin, built once per request: a feed page makes a hundred URLs absolute.</summary>
    public string Origin(HttpContext context)
    {
        if (_configuredOrigin is { } configured)
        {
            return configured;
        }
        if (context.Items.TryGetValue(s_originKey, out var cached))
        {
            return (string)cached!;
        }
        var origin = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        context.Items[s_originKey] = origin;
        return origin;
    }

    /// <summary>The user card with its image paths made absolute for this client.</summary>
    public User Absolute(HttpContext context, User user) => user with
    {
        Avatar = Absolute(context, user.Avatar),
        BackgroundImage = Absolute(context, user.BackgroundImage),
    };

    public string Absolute(HttpContext context, string pathOrUrl) =>
        pathOrUrl.Length == 0 || pathOrUrl.Contains("://", StringComparison.Ordinal)
            ? pathOrUrl
            : pathOrUrl.StartsWith('/') ? string.Concat(Origin(context), pathOrUrl) : string.Concat(Origin(context), "/", pathOrUrl);
}
