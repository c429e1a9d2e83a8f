using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Douyin.Chat.Hubs;

/// <summary>
/// Real-time chat for clients that keep a connection open (the mobile client polls instead). Authenticated with the
/// API token (<c>access_token</c> in the query for WebSockets, or a bearer header). Every connection of both parties,
/// the sender's own included, receives <see cref="MessageEvent"/> with the stored Message in the API's JSON shape.
/// Pushes are best effort: a client that reconnects catches up through <c>/douyin/message/chat/</c>.
/// </summary>
[Authorize]
public sealed class ChatHub(MessageService messages) : Hub
{
    public const string Path = "/hubs/chat";

    /// <summary>The client event that carries a new message.</summary>
    public const string MessageEvent = "message";

    /// <summary>Sends like <c>/douyin/message/action/</c>, with the same rules; returns the stored message or fails with its reason.</summary>
    public async Task<Message> SendMessage(long toUserId, string content)
    {
        var (sent, refused) = await messages.SendAsync(Context.User!.GetUserId()!.Value, toUserId, content, Context.ConnectionAborted);
        return sent ?? throw new HubException(refused!.Message);
    }
}
