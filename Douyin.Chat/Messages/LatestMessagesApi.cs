using Douyin.Api.Messages;

namespace Douyin.Chat.Messages;

/// <summary>Internal: the friend list's previews for Douyin.Social. Not routed by Douyin.Web, and only callers with the service credential reach it.</summary>
public static class LatestMessagesApi
{
    public static IEndpointRouteBuilder MapLatestMessagesApi(this IEndpointRouteBuilder app)
    {
        app.MapInternalGroup().MapPost(LatestMessagesClient.Route, GetLatestAsync)
            .WithName("GetLatestMessages")
            .WithSummary("The latest message between one user and each of many peers, for other services");
        return app;
    }

    static async Task<Results<Ok<LatestMessagesResponse>, ProblemHttpResult>> GetLatestAsync(
        LatestMessagesRequest request, MessageService messages, CancellationToken cancellationToken)
    {
        if (request.UserId <= 0 || request.PeerIds is null || request.PeerIds.Count > LatestMessagesClient.MaxBatch)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                detail: $"user_id must be a positive id and peer_ids must hold 0 to {LatestMessagesClient.MaxBatch} ids.");
        }

        var peers = request.PeerIds.Where(p => p > 0 && p != request.UserId).Distinct().ToArray();
        return TypedResults.Ok(new LatestMessagesResponse(peers.Length == 0 ? [] : await messages.LatestAsync(request.UserId, peers, cancellationToken)));
    }
}
