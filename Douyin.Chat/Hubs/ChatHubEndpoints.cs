using Microsoft.AspNetCore.SignalR;

namespace Douyin.Chat.Hubs;

public static class ChatHubEndpoints
{
    /// <summary>
    /// The hub at <see cref="ChatHub.Path"/>. A connection lives as long as its token: with an expired token a client can
    /// no longer listen (nor send). On SIGTERM, when the drain begins (Shutdown/GracefulShutdown), SignalR closes every
    /// connection itself (its connection manager does so on ApplicationStopping), and the clients reconnect through the
    /// edge. Until the process is gone this replica then refuses new connections with 503: the edge may still send it a
    /// reconnect for a second or two, until its health probe sees /health fail, and a connection taken here would be cut
    /// again when the server stops, after the drain (or held up the stop until Shutdown:StopTimeout). The client's
    /// backoff then tries again, by then on a replica that stays.
    /// </summary>
    public static HubEndpointConventionBuilder MapChatHub(this IEndpointRouteBuilder app)
    {
        var stopping = app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var hub = app.MapHub<ChatHub>(ChatHub.Path, hub => hub.CloseOnAuthenticationExpiration = true);
        // Both of the hub's endpoints: the negotiate POST and the connection itself (a WebSocket, or another transport).
        hub.Add(endpoint =>
        {
            var connect = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context => stopping.IsCancellationRequested ? RefuseAsync(context) : connect(context);
        });
        return hub;
    }

    static Task RefuseAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "1";
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "This chat replica is stopping",
            detail: "Connect again: another replica takes the connection.").ExecuteAsync(context);
    }
}
