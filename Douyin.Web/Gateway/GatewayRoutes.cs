using Douyin.Api.Identity;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Douyin.Web.Gateway;

/// <summary>
/// The edge's reverse proxy, YARP. Which service owns which part of the public API (shared/api/douyin-api.md §3) is
/// configuration: section <see cref="SectionName"/> of appsettings.json, one route per prefix and one cluster per
/// service, whose destination is the service's logical name (<c>http://feed</c>); service discovery resolves it to
/// every replica (<c>services__feed__http__i</c>). Health checks and the one retry on another replica are
/// <see cref="ReplicaFailover"/>'s (only where repeating cannot apply a write twice). YARP drops hop-by-hop headers,
/// and sets X-Forwarded-For, -Proto, -Host and -Prefix itself, replacing the client's.
/// Chat's API cluster waits at most 8 s (<c>ActivityTimeout</c>) for an answer, within a client's 10 s: Chat runs
/// replicas, and a proxy in front of them (dcp's, locally) may hold a connection open while none is up. The hub has
/// a cluster of its own (<c>chat-hub</c>, metadata <c>Service: chat</c>), since the timeout is also a WebSocket's idle
/// timeout and SignalR pings only every 15 s.
/// </summary>
public static class GatewayRoutes
{
    public const string SectionName = "ReverseProxy";

    /// <summary>
    /// The largest body of a request whose route sets no <c>MaxRequestBodySize</c> (only the upload's does): the API's
    /// actions are form fields of a few hundred bytes.
    /// </summary>
    public const long MaxBodyBytes = 64 * 1024;

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ILoadBalancingPolicy, AccessTokenAffinity>();
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy, ReplicaFailover.TransportFailurePolicy>();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(SectionName))
            .AddServiceDiscoveryDestinationResolver()
            // A replica that does not accept a connection is down: fail fast rather than after SocketsHttpHandler's 15 s.
            .ConfigureHttpClient((_, handler) => handler.ConnectTimeout = TimeSpan.FromSeconds(5))
            .AddTransforms(context =>
            {
                // The internal credential: a client must never present it to a service through the edge.
                context.AddRequestHeaderRemove(ServiceCredential.HeaderName);
                // Announces trailers, which the edge does not forward (YARP drops the other hop-by-hop headers itself).
                context.AddRequestHeaderRemove("Trailer");
            });
        return builder;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ForwardCanonicalAsync);
            proxy.Use(ReplicaFailover.RetryOnAnotherReplicaAsync); // before load balancing, which a retry runs again
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        }).WithTags("Gateway");
        return app;
    }

    /// <summary>
    /// Refuses an API request declaring a body over its route's limit (<c>MaxRequestBodySize</c>, which YARP also sets
    /// as Kestrel's limit for the request) or else <see cref="MaxBodyBytes"/> with the API's envelope, unread.
    /// </summary>
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var limit = context.GetEndpoint()?.Metadata.GetMetadata<RouteModel>()?.Config.MaxRequestBodySize ?? MaxBodyBytes;
            return context.Request.ContentLength > limit && DouyinApi.IsApiPath(context.Request.Path)
                ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.BadRequest, $"The request body is too large; the limit is {Size(limit)}.")
                : next(context);
        });

    static string Size(long bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MB" : $"{bytes / 1024} KB";

    /// <summary>
    /// Sends on only the canonical path the edge routed (a service would decode and resolve any other spelling again),
    /// and answers YARP's failures, bare status codes, the way each caller reads them.
    /// </summary>
    static async Task ForwardCanonicalAsync(HttpContext context, RequestDelegate next)
    {
        if (!CanonicalPaths.IsAccepted(context))
        {
            await CanonicalPaths.RefuseAsync(context);
            return;
        }

        await next(context);

        if (context.GetForwarderErrorFeature() is { } failure && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            var cluster = context.GetReverseProxyFeature().Cluster.Config;
            await FailAsync(context, failure.Error, cluster.Metadata?.GetValueOrDefault("Service") ?? cluster.ClusterId);
        }
    }

    static Task FailAsync(HttpContext context, ForwarderError error, string service)
    {
        var api = DouyinApi.IsApiPath(context.Request.Path);
        // The client's own request failed (its body went past the limit or broke off), not the service.
        if (error is ForwarderError.RequestBodyClient)
        {
            var message = context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"The request body is too large; the limit is {Size(context.GetRouteModel().Config.MaxRequestBodySize ?? MaxBodyBytes)}."
                : "The request body could not be read.";
            return api
                ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.BadRequest, message)
                : Results.Problem(statusCode: context.Response.StatusCode, title: message).ExecuteAsync(context);
        }
        // YARP chose 502, 503 (no replica known) or 504 (no answer in time): the service is unavailable either way.
        return api
            ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.Unavailable, $"The {service} service is unavailable; try again shortly.")
            : Results.Problem(statusCode: context.Response.StatusCode, title: $"The {service} service is unavailable.").ExecuteAsync(context);
    }
}
