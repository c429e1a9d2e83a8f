using Douyin.Api.Users;

namespace Douyin.Social.Accounts;

/// <summary>Internal: how Feed and Chat render users. Not routed by Douyin.Web, and only callers with the service credential reach it.</summary>
public static class UserCardsApi
{
    public static IEndpointRouteBuilder MapUserCardsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapInternalGroup();
        group.MapPost(UserCardsClient.Route, GetCardsAsync)
            .WithName("GetUserCards")
            .WithSummary("Cards of many users relative to one viewer, and which of them the viewer follows, for other services");
        group.MapPost(UserCardsClient.FollowedRoute, GetFollowedAsync)
            .WithName("GetFollowed")
            .WithSummary("Which of many users one viewer follows, for other services (is_follow beside viewer-independent cards)");
        return app;
    }

    static async Task<Results<Ok<UserCardsResponse>, ProblemHttpResult>> GetCardsAsync(
        UserCardsRequest request, UserCards cards, CancellationToken cancellationToken)
    {
        if (request.UserIds is null || request.UserIds.Count > UserCardsClient.MaxBatch)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, detail: $"user_ids must hold 0 to {UserCardsClient.MaxBatch} ids.");
        }

        var found = await cards.GetManyAsync([.. request.UserIds.Distinct()], request.ViewerId, cancellationToken);
        return TypedResults.Ok(new UserCardsResponse([.. found.Values], [.. found.Values.Where(u => u.IsFollow).Select(u => u.Id)]));
    }

    static async Task<Results<Ok<FollowedResponse>, ProblemHttpResult>> GetFollowedAsync(
        FollowedRequest request, UserCards cards, CancellationToken cancellationToken)
    {
        if (request.UserIds is null || request.UserIds.Count > UserCardsClient.MaxBatch || request.ViewerId <= 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                detail: $"viewer_id must be a user id and user_ids must hold 0 to {UserCardsClient.MaxBatch} ids.");
        }

        var followed = await cards.GetFollowedAsync(request.ViewerId, [.. request.UserIds.Distinct()], cancellationToken);
        return TypedResults.Ok(new FollowedResponse([.. followed]));
    }
}
