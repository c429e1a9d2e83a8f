using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Douyin.Web.Gateway;

/// <summary>Which service owns which part of the public API (shared/api/douyin-api.md §3).</summary>
public static class GatewayRoutes
{
    public static readonly IReadOnlyList<(string Prefix, string Service)> Routes =
    [
        ("/douyin/user", ResourceNames.Social),
        ("/douyin/relation", ResourceNames.Social),
        ("/douyin/feed", ResourceNames.Feed),
        ("/douyin/publish", ResourceNames.Feed),
        ("/douyin/favorite", ResourceNames.Feed),
        ("/douyin/comment", ResourceNames.Feed),
        ("/douyin/message", ResourceNames.Chat),
    ];

    /// <summary>
    /// SignalR hubs (Douyin.Chat's ChatHub.Path). A connection's negotiate, its WebSocket and any fallback transport
    /// requests must reach the replica that holds it, so the replica is chosen by the caller's access token, which
    /// each of those requests carries; HTTP requests are forwarded as usual and WebSockets proxied frame by frame.
    /// </summary>
    public static readonly IReadOnlyList<(string Prefix, string Service)> HubRoutes =
    [
        ("/hubs/chat", ResourceNames.Chat),
    ];

    /// <summary>The one path with a large body.</summary>
    public const string UploadPath = "/douyin/publish/action";

    /// <summary>Forwards each owned prefix, with and without a trailing slash and anything below it.</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        var forwarder = app.ServiceProvider.GetRequiredService<HttpForwarder>();
        var maxUploadBytes = app.ServiceProvider.GetRequiredService<IOptions<GatewayOptions>>().Value.MaxUploadBytes;
        app.Map(UploadPath, context => ForwardUploadAsync(context, forwarder, maxUploadBytes))
            .WithTags("Gateway").WithDisplayName($"{UploadPath} -> {ResourceNames.Feed}");
        foreach (var (prefix, service) in Routes)
        {
            var destination = new Uri($"http://{service}");
            RequestDelegate forward = context => forwarder.ForwardAsync(context, destination);
            app.Map(prefix, forward).WithTags("Gateway").WithDisplayName($"{prefix} -> {service}");
            app.Map(prefix + "/{**rest}", forward).WithTags("Gateway").WithDisplayName($"{prefix}/* -> {service}");
        }
        foreach (var (prefix, service) in HubRoutes)
        {
            var destination = new Uri($"http://{service}");
            RequestDelegate forward = context => forwarder.ForwardAsync(context, destination, AffinityKey(context.Request));
            app.Map(prefix, forward).WithTags("Gateway").WithDisplayName($"{prefix} -> {service} (hub)");
            app.Map(prefix + "/{**rest}", forward).WithTags("Gateway").WithDisplayName($"{prefix}/* -> {service} (hub)");
        }
        return app;
    }

    /// <summary>Refuses an API request declaring a body over <see cref="GatewayOptions.MaxBodyBytes"/> with the API's envelope, unread.</summary>
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) =>
        app.Use((context, next) =>
            context.Request.ContentLength > GatewayOptions.MaxBodyBytes && DouyinApi.IsApiPath(context.Request.Path)
                && !context.Request.Path.StartsWithSegments(UploadPath)
                ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.BadRequest, $"The request body is too large; the limit is {GatewayOptions.MaxBodyBytes / 1024} KB.")
                : next(context));

    // Browsers put the token in the query (they cannot set WebSocket headers); other clients send a bearer header.
    static string AffinityKey(HttpRequest request) =>
        request.Query["access_token"].FirstOrDefault() ?? ApiParameters.BearerToken(request) ?? "";

    /// <summary>Raises Kestrel's body limit to the upload limit for this request, and refuses a declared oversize body unread.</summary>
    static Task ForwardUploadAsync(HttpContext context, HttpForwarder forwarder, long maxUploadBytes)
    {
        if (context.Request.ContentLength > maxUploadBytes)
        {
            return DouyinApi.WriteEnvelopeAsync(context, ApiStatus.BadRequest,
                $"The upload is too large; the limit is {maxUploadBytes / (1024 * 1024)} MB.");
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = maxUploadBytes;
        }
        return forwarder.ForwardAsync(context, new Uri($"http://{ResourceNames.Feed}"));
    }
}
