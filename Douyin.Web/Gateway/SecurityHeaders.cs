using Douyin.Api.Media;

namespace Douyin.Web.Gateway;

/// <summary>
/// Headers every answer of the edge carries, forwarded or its own, refusals and errors included (they are added as the
/// answer starts, after the exception handler has cleared the response). <c>nosniff</c> keeps a browser from running
/// an answer as a type it was not sent as; media, which users upload, is sandboxed if opened as a document; the
/// browser client may load only its own scripts and styles and may not be framed.
/// </summary>
public static class SecurityHeaders
{
    public const string MediaPolicy = "sandbox";

    /// <summary>The browser client's policy: its own origin for everything (fetch, the SignalR WebSocket, /media), plus the public media origin when it differs.</summary>
    public static string ClientPolicy(string? publicBaseUrl)
    {
        var media = Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var baseUrl) ? " " + baseUrl.GetLeftPart(UriPartial.Authority) : "";
        return $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{media}; media-src 'self' blob:{media}; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }

    public static IApplicationBuilder UseSecurityHeaders(this WebApplication app)
    {
        var clientPolicy = ClientPolicy(app.Configuration["Douyin:PublicBaseUrl"]);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(MediaPaths.UrlPrefix) ? MediaPolicy : clientPolicy;
                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
