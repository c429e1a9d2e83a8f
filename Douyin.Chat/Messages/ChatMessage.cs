namespace Douyin.Chat.Messages;

/// <summary>
/// One stored message. A conversation is the unordered pair of its users, kept as (lower id, higher id) so both
/// directions share one index range; <see cref="CreateTime"/> is unique and increasing within the conversation.
/// </summary>
public sealed class ChatMessage
{
    /// <summary>In characters (the API counts what people type, not bytes or UTF-16 units).</summary>
    public const int MaxContentLength = 500;

    public long Id { get; set; }
    public long LowUserId { get; set; }
    public long HighUserId { get; set; }
    public long FromUserId { get; set; }
    public long ToUserId { get; set; }
    public string Content { get; set; } = "";

    /// <summary>Unix milliseconds, the API's <c>create_time</c> and the conversation's ordering key.</summary>
    public long CreateTime { get; set; }

    public Message ToMessage() => new(Id, ToUserId, FromUserId, Content, CreateTime);

    /// <summary>The conversation key of two users, whichever sent.</summary>
    public static (long Low, long High) Conversation(long userId, long peerId) => (Math.Min(userId, peerId), Math.Max(userId, peerId));
}

/// <summary>
/// The row that orders a conversation: inserting a message first updates it, so the row lock makes senders of one
/// conversation take their <c>create_time</c> and commit one after the other.
/// </summary>
public sealed class Conversation
{
    public long LowUserId { get; set; }
    public long HighUserId { get; set; }
    public long LastCreateTime { get; set; }
}
