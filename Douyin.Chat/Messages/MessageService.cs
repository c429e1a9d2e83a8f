using Microsoft.AspNetCore.SignalR;
using Douyin.Api.Messages;
using Douyin.Api.Text;
using Douyin.ServiceDefaults.Data;
using Douyin.Api.Identity;

namespace Douyin.Chat.Messages;

/// <summary>Sending and reading messages: one set of rules whether a message comes over HTTP or the hub.</summary>
public sealed class MessageService(
    ChatDbContext db,
    UserDirectory directory,
    WordFilter words,
    SnowflakeIdGenerator ids,
    IHubContext<ChatHub> hub,
    IOptions<MessageOptions> options,
    TimeProvider time,
    ILogger<MessageService> logger)
{
    /// <summary>
    /// Validates, masks banned words, stores, then pushes to both parties' open connections (nothing is pushed that
    /// is not stored). Anyone may message anyone who exists; not themselves.
    /// </summary>
    public async Task<(Message? Sent, ApiError? Error)> SendAsync(long fromUserId, long toUserId, string? content, CancellationToken cancellationToken)
    {
        if (toUserId <= 0)
        {
            return (null, ApiError.BadRequest("to_user_id is required and must be a positive id."));
        }
        if (TextRules.Check(content, "content", 1, ChatMessage.MaxContentLength, allowLineBreaks: true) is { } invalid)
        {
            return (null, invalid);
        }
        if (fromUserId == toUserId)
        {
            return (null, ApiError.BadRequest("You cannot message yourself."));
        }
        if (await RecipientExistsAsync(toUserId, cancellationToken) is { } missing)
        {
            return (null, missing);
        }

        var message = await StoreAsync(fromUserId, toUserId, words.Mask(content!), cancellationToken);
        await PushAsync(message);
        return (message, null);
    }

    /// <summary>
    /// Best effort, as a push promises: the backplane's Redis pub/sub is at most once, and a client that missed a
    /// push catches up through <c>/douyin/message/chat/</c>, the source of truth.
    /// </summary>
    async Task PushAsync(Message message)
    {
        try
        {
            // Stored: a cancelled request must not keep the message from its recipient's open connections.
            await hub.Clients.Users([message.FromUserId.ToString(CultureInfo.InvariantCulture), message.ToUserId.ToString(CultureInfo.InvariantCulture)])
                .SendAsync(ChatHub.MessageEvent, message, CancellationToken.None);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
        {
            logger.LogWarning("Message {MessageId} not pushed: {Reason}", message.Id, ex.Message);
        }
    }

    /// <summary>
    /// The message's create_time is the conversation's ordering key, so it must be unique in the conversation and
    /// committed in increasing order: the client polls with the newest create_time it holds, and a message committed
    /// later with an earlier (or equal) time would never reach it. One statement upserts the conversation row to
    /// max(now, last + 1) and inserts the message with that time; the row lock holds the next sender of the same
    /// conversation until this one commits, so commit order is time order. Within a burst the times run ahead of
    /// the clock by a few milliseconds, never backwards.
    /// </summary>
    async Task<Message> StoreAsync(long fromUserId, long toUserId, string content, CancellationToken cancellationToken)
    {
        var (low, high) = ChatMessage.Conversation(fromUserId, toUserId);
        var id = ids.NextId();
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var createTime = await db.Database.QueryPositionalAsync<long>("""
            WITH conversation AS (
                INSERT INTO conversations (low_user_id, high_user_id, last_create_time) VALUES ($2, $3, $7)
                ON CONFLICT (low_user_id, high_user_id) DO UPDATE
                SET last_create_time = GREATEST(EXCLUDED.last_create_time, conversations.last_create_time + 1)
                RETURNING last_create_time)
            INSERT INTO messages (id, low_user_id, high_user_id, from_user_id, to_user_id, content, create_time)
            SELECT $1, $2, $3, $4, $5, $6, last_create_time FROM conversation
            RETURNING create_time
            """, cancellationToken, id, low, high, fromUserId, toUserId, content, now);
        return new Message(id, toUserId, fromUserId, content, createTime.Single());
    }

    /// <summary>Asked of the user directory, which remembers answers for a minute, so a busy sender costs Social nothing.</summary>
    async Task<ApiError?> RecipientExistsAsync(long userId, CancellationToken cancellationToken) =>
        await directory.FindAsync(userId, cancellationToken) switch
        {
            true => null,
            false => new ApiError(ApiStatus.NotFound, "That user does not exist."),
            // Social down, its circuit open or too slow: refuse rather than store a message to nobody.
            null => new ApiError(ApiStatus.Unavailable, "Cannot check the recipient right now; try again shortly."),
        };

    /// <summary>Messages between the two users in both directions, oldest first, strictly newer than <paramref name="after"/>.</summary>
    public Task<List<Message>> HistoryAsync(long userId, long peerId, long after, CancellationToken cancellationToken)
    {
        var (low, high) = ChatMessage.Conversation(userId, peerId);
        return db.Messages
            .Where(m => m.LowUserId == low && m.HighUserId == high && m.CreateTime > after)
            .OrderBy(m => m.CreateTime)
            .Take(options.Value.MaxHistoryPage)
            .Select(m => new Message(m.Id, m.ToUserId, m.FromUserId, m.Content, m.CreateTime))
            .ToListAsync(cancellationToken);
    }

    /// <summary>The newest message of each conversation between <paramref name="userId"/> and the peers, in one query (an index seek per peer).</summary>
    public async Task<List<LatestMessage>> LatestAsync(long userId, long[] peerIds, CancellationToken cancellationToken)
    {
        var latest = await db.Messages.FromSql($"""
            SELECT m.* FROM unnest({peerIds}) AS peer(id)
            CROSS JOIN LATERAL (
                SELECT * FROM messages
                WHERE low_user_id = LEAST({userId}, peer.id) AND high_user_id = GREATEST({userId}, peer.id)
                ORDER BY create_time DESC
                LIMIT 1) AS m
            """).AsNoTracking().ToListAsync(cancellationToken);
        return latest.ConvertAll(m => new LatestMessage(m.FromUserId == userId ? m.ToUserId : m.FromUserId, m.Content, m.FromUserId, m.CreateTime));
    }
}
