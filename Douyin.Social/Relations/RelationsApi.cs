using System.Text.Json.Serialization;

namespace Douyin.Social.Relations;

public sealed class UserListResponse : ApiResponse
{
    public List<User> UserList { get; set; } = [];
}

public sealed class FriendListResponse : ApiResponse
{
    public List<FriendUser> UserList { get; set; } = [];
}

/// <summary>The friend list's entry (shared/api/douyin-api.md §2.5): a User plus the latest message with that friend.</summary>
public sealed record FriendUser : User
{
    public const long Received = 0;
    public const long Sent = 1;

    public FriendUser(User user) : base(user)
    {
    }

    /// <summary>Empty when the two have not exchanged a message (or Chat could not say).</summary>
    public string Message { get; init; } = "";

    /// <summary>Whether the caller received (0) or sent (1) that message. The API spells it in camelCase.</summary>
    [JsonPropertyName("msgType")]
    public long MsgType { get; init; }
}

public static class RelationsApi
{
    public static IEndpointRouteBuilder MapRelationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/douyin/relation").WithTags("Relations");

        api.MapPost("/action/", ChangeRelationAsync)
            .WithName("ChangeRelation")
            .WithSummary("Follow (action_type 1) or unfollow (2) to_user_id; repeats are no-ops")
            .RequireAuthorization();
        api.MapGet("/follow/list/", GetFollowingAsync)
            .WithName("GetFollowing")
            .WithSummary("The users user_id follows, newest first");
        api.MapGet("/follower/list/", GetFollowersAsync)
            .WithName("GetFollowers")
            .WithSummary("The users following user_id, newest first");
        api.MapGet("/friend/list/", GetFriendsAsync)
            .WithName("GetFriends")
            .WithSummary("The caller's mutual follows, each with the latest message between the two")
            .RequireAuthorization();

        return app;
    }

    static async Task<Ok<ApiResponse>> ChangeRelationAsync(
        ApiParameters parameters, ClaimsPrincipal principal, RelationService relations, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetId("to_user_id", out var toUserId, out var error)
            || !parameters.TryGetInt64("action_type", out var actionType, out error))
        {
            return TypedResults.Ok(ApiResponse.Fail<ApiResponse>(error));
        }
        if (actionType is not (1 or 2))
        {
            return TypedResults.Ok(ApiResponse.Fail(ApiStatus.BadRequest, "action_type must be 1 (follow) or 2 (unfollow)."));
        }
        return TypedResults.Ok(await relations.ChangeAsync(principal.GetUserId()!.Value, toUserId, follow: actionType == 1, cancellationToken));
    }

    static Task<Ok<UserListResponse>> GetFollowingAsync(
        ApiParameters parameters, ClaimsPrincipal principal, RelationService relations, PublicUrls urls, CancellationToken cancellationToken) =>
        GetListAsync(parameters, principal, urls, relations.FollowingAsync, cancellationToken);

    static Task<Ok<UserListResponse>> GetFollowersAsync(
        ApiParameters parameters, ClaimsPrincipal principal, RelationService relations, PublicUrls urls, CancellationToken cancellationToken) =>
        GetListAsync(parameters, principal, urls, relations.FollowersAsync, cancellationToken);

    /// <summary>The token is optional: anonymous viewers see is_follow false. Without user_id, the caller's own list.</summary>
    static async Task<Ok<UserListResponse>> GetListAsync(
        ApiParameters parameters, ClaimsPrincipal principal, PublicUrls urls,
        Func<long, long?, CancellationToken, Task<List<User>?>> list, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetInt64("user_id", out var userId, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<UserListResponse>(error));
        }
        var viewerId = principal.GetUserId();
        if (userId <= 0 && viewerId is null)
        {
            return TypedResults.Ok(ApiResponse.Fail<UserListResponse>(ApiStatus.BadRequest, "user_id is required and must be a positive id."));
        }

        var users = await list(userId > 0 ? userId : viewerId!.Value, viewerId, cancellationToken);
        return users is null
            ? TypedResults.Ok(ApiResponse.Fail<UserListResponse>(ApiStatus.NotFound, "That user does not exist."))
            : TypedResults.Ok(new UserListResponse { UserList = users.ConvertAll(u => urls.Absolute(parameters.HttpContext, u)) });
    }

    /// <summary>Only one's own friends: the entries carry private messages. user_id may be absent or the caller's id.</summary>
    static async Task<Ok<FriendListResponse>> GetFriendsAsync(
        ApiParameters parameters, ClaimsPrincipal principal, RelationService relations, PublicUrls urls, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetInt64("user_id", out var userId, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<FriendListResponse>(error));
        }
        var callerId = principal.GetUserId()!.Value;
        if (userId > 0 && userId != callerId)
        {
            return TypedResults.Ok(ApiResponse.Fail<FriendListResponse>(ApiStatus.Forbidden, "You can only list your own friends."));
        }

        var friends = await relations.FriendsAsync(callerId, cancellationToken);
        return TypedResults.Ok(new FriendListResponse { UserList = friends.ConvertAll(f => (FriendUser)urls.Absolute(parameters.HttpContext, f)) });
    }
}
