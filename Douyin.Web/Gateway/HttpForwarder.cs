using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Douyin.Web.Gateway;

/// <summary>
/// Streams a request to the owning service and its answer back, the part of YARP's IHttpForwarder we need
/// (Yarp.ReverseProxy cannot be restored from our registry). Like YARP it never retries (a forwarded POST
/// may not be safe to repeat), drops hop-by-hop headers, and adds X-Forwarded-* so services see the client's
/// origin. Replicas are picked round-robin by service discovery, or by an affinity key where requests of one
/// connection must reach the same replica. WebSocket requests are handed to <see cref="WebSocketForwarder"/>.
/// </summary>
public sealed class HttpForwarder : IDisposable
{
    // Hop-by-hop headers (RFC 9110 §7.6.1) plus Host, which must name the upstream.
    static readonly HashSet<string> s_skippedRequestHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix",
    };

    static readonly HashSet<string> s_skippedResponseHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
    };

    readonly HttpMessageInvoker _invoker;
    readonly ServiceEndpointResolver _resolver;
    readonly WebSocketForwarder _webSockets;
    readonly ILogger<HttpForwarder> _logger;

    public HttpForwarder(ServiceEndpointResolver resolver, WebSocketForwarder webSockets, IOptions<GatewayOptions> options, ILogger<HttpForwarder> logger)
    {
        _resolver = resolver;
        _webSockets = webSockets;
        _logger = logger;
        // YARP's handler settings: no proxy, redirects, cookies or decompression; the client sees what the service sent.
        _invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ResponseDrainTimeout = options.Value.UpstreamTimeout,
        });
    }

    public async Task ForwardAsync(HttpContext context, Uri service, string? affinityKey = null)
    {
        // Only the canonical path the edge routed goes on: a service would decode and resolve any other spelling again.
        if (!CanonicalPaths.IsAccepted(context))
        {
            await CanonicalPaths.RefuseAsync(context);
            return;
        }

        Uri upstream;
        try
        {
            upstream = affinityKey is null ? _resolver.Resolve(service) : _resolver.Resolve(service, affinityKey);
        }
        catch (InvalidOperationException ex)
        {
            _logger.LogError(ex, "No endpoint for {Service}", service.Host);
            await FailAsync(context, service.Host);
            return;
        }

        if (context.WebSockets.IsWebSocketRequest)
        {
            await _webSockets.ForwardAsync(context, upstream);
            return;
        }

        using var request = CreateRequest(context, upstream);
        HttpResponseMessage response;
        try
        {
            response = await _invoker.SendAsync(request, context.RequestAborted);
        }
        catch (HttpRequestException ex)
        {
            _logger.LogWarning(ex, "{Service} did not answer {Method} {Path}", service.Host, context.Request.Method, context.Request.Path);
            await FailAsync(context, service.Host);
            return;
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            CopyResponseHeaders(response, context.Response);
            await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    static HttpRequestMessage CreateRequest(HttpContext context, Uri upstream)
    {
        var incoming = context.Request;
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(upstream, incoming.Path + incoming.QueryString))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };

        if (HasBody(context))
        {
            request.Content = new StreamContent(incoming.Body);
        }

        foreach (var header in incoming.Headers)
        {
            if (s_skippedRequestHeaders.Contains(header.Key))
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        request.Headers.TryAddWithoutValidation("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        if (incoming.PathBase.HasValue)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Prefix", incoming.PathBase.Value);
        }
        return request;
    }

    static bool HasBody(HttpContext context) =>
        context.Request.ContentLength > 0
        || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true && context.Request.ContentLength is null;

    static void CopyResponseHeaders(HttpResponseMessage source, HttpResponse destination)
    {
        foreach (var header in source.Headers.Concat(source.Content.Headers))
        {
            if (!s_skippedResponseHeaders.Contains(header.Key))
            {
                destination.Headers[header.Key] = header.Value.ToArray();
            }
        }
    }

    static Task FailAsync(HttpContext context, string service) =>
        DouyinApi.IsApiPath(context.Request.Path)
            ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.Unavailable, $"The {service} service is unavailable; try again shortly.")
            : Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: $"The {service} service is unavailable.").ExecuteAsync(context);

    public void Dispose() => _invoker.Dispose();
}
