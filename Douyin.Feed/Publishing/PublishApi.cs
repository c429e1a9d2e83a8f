namespace Douyin.Feed.Publishing;

public static class PublishApi
{
    public static IEndpointRouteBuilder MapPublishApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/douyin/publish/action/", PublishAsync)
            .WithTags("Videos")
            .WithName("PublishVideo")
            .WithSummary("Upload a video (multipart: data, token, title); it is checked, given a cover and stored")
            .DisableAntiforgery();
        return app;
    }

    static async Task<Ok<ApiResponse>> PublishAsync(HttpContext context, VideoPublisher publisher, CancellationToken cancellationToken) =>
        TypedResults.Ok(await publisher.PublishAsync(context, cancellationToken));
}
