using System.Net.Http;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Douyin.Web.Gateway;

/// <summary>
/// Takes a lost replica out at once and sends the request it failed to another, the way YARP's maintainers describe
/// it (a proxy-pipeline middleware that runs load balancing again over the available destinations; dotnet/yarp#56).
/// Active health checks on <c>/health</c> (appsettings.json, <c>HealthCheck:Active</c>) see a draining or hung replica;
/// <see cref="TransportFailurePolicy"/> sees a dead one on the first request it fails. A failed request is forwarded
/// once more when repeating it cannot apply anything twice:
/// <list type="bullet">
/// <item>any request whose connection was refused: nothing reached the replica;</item>
/// <item>a request of a route marked <c>Metadata:Replay = Idempotent</c> (like, follow: they set a state) or a GET,
/// HEAD or OPTIONS, whose connection broke before the response began, if its body is empty or was buffered.</item>
/// </list>
/// Nothing is forwarded again once a response began; other writes (comment, message, publish, register) are not
/// repeated after they may have been sent, and get the 503 envelope.
/// </summary>
public static partial class ReplicaFailover
{
    /// <summary>Route metadata key; <see cref="Idempotent"/> marks a route whose POST may be repeated.</summary>
    public const string ReplayMetadata = "Replay";

    public const string Idempotent = "Idempotent";

    /// <summary>Forwards a request again after a failure that <see cref="CanRepeat"/> allows, on another replica when there is one.</summary>
    public static async Task RetryOnAnotherReplicaAsync(HttpContext context, RequestDelegate next)
    {
        var idempotent = IsIdempotent(context);
        if (idempotent && HasBody(context.Request))
        {
            // Bodies here are form fields under the edge's 64 KB limit: kept in memory so they can be sent again.
            context.Request.EnableBuffering();
        }

        await next(context);

        var proxy = context.GetReverseProxyFeature();
        if (context.GetForwarderErrorFeature() is not { } failure || proxy.ProxiedDestination is not { } failed
            || context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        // Each failover decision is logged: a client's 503 envelope should be traceable to why it was not spared.
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReplicaFailover).FullName!);
        if (context.Response.HasStarted || !CanRepeat(failure, idempotent, context.Request))
        {
            Log.NotRetried(logger, context.Request.Method, proxy.Route.Config.RouteId, failed.DestinationId, failure.Error,
                context.Response.HasStarted ? "the response had begun" : "it may have been applied");
            return;
        }

        // The cluster's available replicas now, without the one that failed; if none, any other replica. YARP applies
        // the passive policy's verdict on a background task, so the failed one may still be the only one available
        // (the others out because their probes were late on a loaded node), and HealthyOrPanic has not yet offered
        // them all. With no other replica at all it is the same address again: a Kubernetes Service or an
        // orchestrator's proxy behind one address sends a new connection to another replica.
        var destinations = proxy.Route.Cluster!.DestinationsState;
        var others = destinations.AvailableDestinations.Where(d => d != failed).ToArray();
        if (others.Length == 0)
        {
            others = [.. destinations.AllDestinations.Where(d => d != failed)];
        }
        proxy.AvailableDestinations = others.Length > 0 ? others : [failed];
        Log.Retrying(logger, context.Request.Method, proxy.Route.Config.RouteId, failed.DestinationId, failure.Error,
            string.Join(' ', proxy.AvailableDestinations.Select(d => d.DestinationId)));
        proxy.ProxiedDestination = null;
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }
        await next(context);

        if (context.GetForwarderErrorFeature() is { } again)
        {
            Log.RetryFailed(logger, context.Request.Method, proxy.Route.Config.RouteId, proxy.ProxiedDestination?.DestinationId, again.Error, again.Exception?.Message);
        }
    }

    static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "{Method} of route {Route} failed on {Destination} ({Error}); retrying on one of: {Targets}")]
        public static partial void Retrying(ILogger logger, string method, string route, string destination, ForwarderError error, string targets);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} of route {Route} failed on {Destination} ({Error}); not retried: {Reason}")]
        public static partial void NotRetried(ILogger logger, string method, string route, string destination, ForwarderError error, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} of route {Route} failed again on {Destination} ({Error}: {Detail})")]
        public static partial void RetryFailed(ILogger logger, string method, string route, string? destination, ForwarderError error, string? detail);
    }

    static bool IsIdempotent(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method)
        || context.GetReverseProxyFeature().Route.Config.Metadata?.GetValueOrDefault(ReplayMetadata) == Idempotent;

    static bool HasBody(HttpRequest request) => request.ContentLength > 0 || request.ContentLength is null && request.Headers.TransferEncoding.Count > 0;

    /// <summary>Whether the failed request may be forwarded again: nothing was sent, or it is idempotent, the replica broke before answering and the body can be read again.</summary>
    static bool CanRepeat(IForwarderErrorFeature failure, bool idempotent, HttpRequest request) =>
        NothingSent(failure.Exception)
        || idempotent && failure.Error is ForwarderError.Request or ForwarderError.RequestBodyDestination && (!HasBody(request) || request.Body.CanSeek);

    /// <summary>The connection was never made (refused, unreachable, unresolved), so the request body was never read either.</summary>
    static bool NothingSent(Exception? exception)
    {
        for (var inner = exception; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The passive policy (cluster setting <c>HealthCheck:Passive:Policy: TransportFailure</c>): a replica the edge could
    /// not reach or that broke off a request is unavailable for <c>ReactivationPeriod</c>, from its first such failure.
    /// YARP's TransportFailureRate waits for 10 requests in a minute and a failure rate, while a killed replica fails
    /// every request sent to it until the active check (every second) notices. Failures the client caused do not count.
    /// </summary>
    public sealed class TransportFailurePolicy(IDestinationHealthUpdater healthUpdater) : IPassiveHealthCheckPolicy
    {
        public const string PolicyName = "TransportFailure";

        static readonly TimeSpan s_defaultReactivation = TimeSpan.FromSeconds(5);

        public string Name => PolicyName;

        public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
        {
            if (context.GetForwarderErrorFeature()?.Error is ForwarderError.Request or ForwarderError.RequestTimedOut
                    or ForwarderError.RequestBodyDestination or ForwarderError.ResponseBodyDestination
                    or ForwarderError.UpgradeRequestDestination or ForwarderError.UpgradeResponseDestination
                && !context.RequestAborted.IsCancellationRequested)
            {
                healthUpdater.SetPassive(cluster, destination, DestinationHealth.Unhealthy,
                    cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? s_defaultReactivation);
            }
        }
    }
}
