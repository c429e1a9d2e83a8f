using Douyin.Api;
using Douyin.Api.Identity;
using Douyin.Api.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Douyin.Api.Messages
{
    /// <summary>
    /// The body of Douyin.Chat's internal endpoint <c>POST /internal/messages/latest</c> (snake_case JSON:
    /// <c>{"user_id": 1, "peer_ids": [2, 3]}</c>): for <see cref="UserId"/>, the latest message exchanged with each peer.
    /// </summary>
    /// <param name="UserId">The user whose conversations are read (the friend list's caller).</param>
    /// <param name="PeerIds">The other party of each conversation: 0 to <see cref="LatestMessagesClient.MaxBatch"/> distinct ids.</param>
    public sealed record LatestMessagesRequest(long UserId, IReadOnlyCollection<long> PeerIds);

    /// <summary>
    /// The answer: <c>{"messages": [{"peer_id": 2, "content": "hi", "from_user_id": 1, "create_time": 1700000000000}]}</c>,
    /// at most one entry per requested peer, none for a peer with no message in either direction. HTTP 200 on success;
    /// a malformed request or too many peers is 400 with problem details.
    /// </summary>
    public sealed record LatestMessagesResponse(IReadOnlyList<LatestMessage> Messages);

    /// <summary>The newest message between the request's user and one peer, whichever of the two sent it.</summary>
    /// <param name="PeerId">One of the request's <c>peer_ids</c>.</param>
    /// <param name="Content">The message text.</param>
    /// <param name="FromUserId">The sender: the request's <c>user_id</c> (sent) or <paramref name="PeerId"/> (received).</param>
    /// <param name="CreateTime">When it was sent, Unix milliseconds (the API's <c>create_time</c> unit).</param>
    public sealed record LatestMessage(long PeerId, string Content, long FromUserId, long CreateTime);

    /// <summary>
    /// How Douyin.Social's friend list gets the preview of each conversation from Douyin.Chat: one call for all friends.
    /// Chat owns messages; callers must treat any failure of this call (Chat down, an open circuit, a 404 from a Chat
    /// that does not serve it yet, a 401 while the service key is rotated) as "no messages" rather than failing their own
    /// answer.
    /// </summary>
    public sealed class LatestMessagesClient(HttpClient http)
    {
        /// <summary>The route in Chat's internal group, and the path callers use.</summary>
        public const string Route = "/messages/latest";
        public const string Path = ServiceCredential.PathPrefix + Route;
        public const int MaxBatch = 1000;

        /// <returns>The latest message per peer, keyed by peer id; peers without messages are absent.</returns>
        /// <exception cref="HttpRequestException">Chat is unreachable or did not answer 200.</exception>
        public async Task<IReadOnlyDictionary<long, LatestMessage>> GetLatestAsync(long userId, IReadOnlyCollection<long> peerIds, CancellationToken cancellationToken)
        {
            if (peerIds.Count == 0)
            {
                return new Dictionary<long, LatestMessage>();
            }

            var body = await http.PostReadAsync<LatestMessagesRequest, LatestMessagesResponse>(Path, new(userId, peerIds), cancellationToken);
            return body?.Messages.ToDictionary(m => m.PeerId) ?? [];
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class LatestMessagesClientExtensions
    {
        /// <summary>A typed client for Chat's latest-messages endpoint, addressed by service discovery (<c>http://chat</c>), sending the service credential.</summary>
        public static IHostApplicationBuilder AddLatestMessagesClient(this IHostApplicationBuilder builder)
        {
            builder.AddServiceCredential();
            builder.Services.AddHttpClient<LatestMessagesClient>(c => c.BaseAddress = new Uri($"http://{Douyin.ServiceDefaults.ResourceNames.Chat}"))
                .AddServiceCredential();
            return builder;
        }
    }
}
