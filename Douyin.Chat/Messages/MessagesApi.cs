namespace Douyin.Chat.Messages;

public sealed class MessageListResponse : ApiResponse
{
    public List<Message> MessageList { get; set; } = [];
}

/// <summary>The mobile client's chat (shared/api/douyin-api.md §3.15, §3.16): send, and poll the history.</summary>
public static class MessagesApi
{
    public static IEndpointRouteBuilder MapMessagesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/douyin/message").WithTags("Messages").RequireAuthorization();

        api.MapPost("/action/", SendAsync)
            .WithName("SendMessage")
            .WithSummary("Send content to to_user_id (action_type 1); pushed at once to both parties' open hub connections");
        api.MapGet("/chat/", GetHistoryAsync)
            .WithName("GetChat")
            .WithSummary("Messages both ways with to_user_id, oldest first, strictly newer than pre_msg_time (ms)");

        return app;
    }

    static async Task<Ok<ApiResponse>> SendAsync(
        ApiParameters parameters, ClaimsPrincipal principal, MessageService messages, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("to_user_id", out var toUserId, out var error)
            || !parameters.TryGetInt64("action_type", out var actionType, out error))
        {
            return TypedResults.Ok(ApiResponse.Fail<ApiResponse>(error));
        }
        if (actionType != 1)
        {
            return TypedResults.Ok(ApiResponse.Fail(ApiStatus.BadRequest, "action_type must be 1 (send)."));
        }

        var (_, refused) = await messages.SendAsync(principal.GetUserId()!.Value, toUserId, parameters["content"], cancellationToken);
        return TypedResults.Ok(refused is null ? ApiResponse.Ok() : ApiResponse.Fail<ApiResponse>(refused));
    }

    /// <summary>pre_msg_time is what the client got as create_time: absent, 0 or negative means the whole history.</summary>
    static async Task<Ok<MessageListResponse>> GetHistoryAsync(
        ApiParameters parameters, ClaimsPrincipal principal, MessageService messages, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("to_user_id", out var peerId, out var error)
            || !parameters.TryGetInt64("pre_msg_time", out var after, out error))
        {
            return TypedResults.Ok(ApiResponse.Fail<MessageListResponse>(error));
        }
        var userId = principal.GetUserId()!.Value;
        if (peerId == userId)
        {
            return TypedResults.Ok(ApiResponse.Fail<MessageListResponse>(ApiStatus.BadRequest, "There is no chat with yourself."));
        }

        return TypedResults.Ok(new MessageListResponse { MessageList = await messages.HistoryAsync(userId, peerId, Math.Max(after, 0), cancellationToken) });
    }
}
