using System.Buffers;
using System.Net.WebSockets;

namespace Douyin.Web.Gateway;

/// <summary>
/// Proxies a WebSocket (SignalR's hub connection): opens one to the chosen replica with the client's credentials and
/// subprotocols, accepts the client's only once the replica accepted (so a refusal such as 401 reaches the client as
/// it was), then pumps frames both ways until either side closes, passing the close on to the other.
/// </summary>
public sealed class WebSocketForwarder(ILogger<WebSocketForwarder> logger)
{
    // What a WebSocket client may need to forward; the handshake headers (Sec-WebSocket-*, Upgrade) belong to each leg.
    static readonly string[] s_forwardedHeaders = ["Authorization", "Cookie", "User-Agent", "X-Requested-With"];

    static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    public async Task ForwardAsync(HttpContext context, Uri upstream)
    {
        var incoming = context.Request;
        using var client = new ClientWebSocket();
        client.Options.Proxy = null; // like the HTTP forwarder: straight to the service
        client.Options.CollectHttpResponseDetails = true;
        client.Options.KeepAliveInterval = TimeSpan.Zero; // the two ends keep their own connection alive (SignalR pings)
        foreach (var protocol in context.WebSockets.WebSocketRequestedProtocols)
        {
            client.Options.AddSubProtocol(protocol);
        }
        foreach (var name in s_forwardedHeaders)
        {
            if (incoming.Headers.TryGetValue(name, out var value))
            {
                client.Options.SetRequestHeader(name, value.ToString());
            }
        }
        client.Options.SetRequestHeader("X-Forwarded-For", context.Connection.RemoteIpAddress?.ToString());
        client.Options.SetRequestHeader("X-Forwarded-Proto", incoming.Scheme);
        client.Options.SetRequestHeader("X-Forwarded-Host", incoming.Host.Value);

        var target = new UriBuilder(new Uri(upstream, incoming.Path + incoming.QueryString))
        {
            Scheme = upstream.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
        }.Uri;
        try
        {
            await client.ConnectAsync(target, context.RequestAborted);
        }
        catch (WebSocketException ex)
        {
            var refused = (int)client.HttpStatusCode is >= 400 and < 600 and var status ? status : StatusCodes.Status502BadGateway;
            logger.LogInformation("WebSocket to {Upstream} not opened ({Status}): {Reason}", upstream, refused, ex.Message);
            await Results.Problem(statusCode: refused, title: refused == StatusCodes.Status502BadGateway ? "The service is unavailable." : null)
                .ExecuteAsync(context);
            return;
        }

        using var downstream = await context.WebSockets.AcceptWebSocketAsync(client.SubProtocol);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var toUpstream = PumpAsync(downstream, client, stop.Token);
        var toDownstream = PumpAsync(client, downstream, stop.Token);
        try
        {
            // A clean close travels one way and its answer the other, so both pumps end; an abrupt end stops both.
            if (await await Task.WhenAny(toUpstream, toDownstream))
            {
                await Task.WhenAll(toUpstream, toDownstream).WaitAsync(s_closeTimeout, context.RequestAborted);
            }
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
        }
        finally
        {
            await stop.CancelAsync();
            client.Abort();
            downstream.Abort();
            await Task.WhenAll(toUpstream, toDownstream);
        }
    }

    /// <summary>Copies frames until a close (passed on: true) or a broken connection (false); never throws.</summary>
    static async Task<bool> PumpAsync(WebSocket from, WebSocket to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            while (true)
            {
                var received = await from.ReceiveAsync(buffer.AsMemory(), cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await to.CloseOutputAsync(from.CloseStatus ?? WebSocketCloseStatus.NormalClosure, from.CloseStatusDescription, cancellationToken);
                    return true;
                }
                await to.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
