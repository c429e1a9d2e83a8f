namespace Douyin.Chat.Messages;

/// <summary>The API's Message (shared/api/douyin-api.md §2.4), also what the hub pushes; <c>create_time</c> in Unix milliseconds.</summary>
public sealed record Message(long Id, long ToUserId, long FromUserId, string Content, long CreateTime);
