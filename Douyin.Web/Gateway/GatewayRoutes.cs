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

    /// <summary>Forwards each owned prefix, with and without a trailing slash and anything below it.</summary>
    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        var forwarder = app.ServiceProvider.GetRequiredService<HttpForwarder>();
        foreach (var (prefix, service) in Routes)
        {
            var destination = new Uri($"http://{service}");
            RequestDelegate forward = context => forwarder.ForwardAsync(context, destination);
            app.Map(prefix, forward).WithTags("Gateway").WithDisplayName($"{prefix} -> {service}");
            app.Map(prefix + "/{**rest}", forward).WithTags("Gateway").WithDisplayName($"{prefix}/* -> {service}");
        }
        return app;
    }
}
