namespace Douyin.Social.Accounts;

public sealed class AuthResponse : ApiResponse
{
    public long UserId { get; set; }

    /// <summary>Present as "" on failure: the official test helper reads it as a string.</summary>
    public string Token { get; set; } = "";
}

public sealed class UserResponse : ApiResponse
{
    public User? User { get; set; }
}

public static class AccountsApi
{
    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/douyin/user").WithTags("Accounts");

        api.MapPost("/register/", RegisterAsync)
            .WithName("Register")
            .WithSummary("Create an account and log in");
        api.MapPost("/login/", LoginAsync)
            .WithName("Login")
            .WithSummary("Exchange a username and password for a token");
        api.MapGet("/", GetUserAsync)
            .WithName("GetUser")
            .WithSummary("A user's card; the token owner's when user_id is absent")
            .RequireAuthorization();

        return app;
    }

    static async Task<Ok<AuthResponse>> RegisterAsync(ApiParameters parameters, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.RegisterAsync(parameters["username"], parameters["password"], cancellationToken));

    static async Task<Ok<AuthResponse>> LoginAsync(ApiParameters parameters, AccountService accounts, CancellationToken cancellationToken)
    {
        // The address Douyin.Web saw: it overwrites X-Forwarded-For, which the forwarded-headers middleware applies.
        var context = parameters.HttpContext;
        var (reply, retryAfter) = await accounts.LoginAsync(parameters["username"], parameters["password"], context.Connection.RemoteIpAddress, cancellationToken);
        if (retryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = LoginThrottle.RetryAfterSeconds(wait);
        }
        return TypedResults.Ok(reply);
    }

    static async Task<Ok<UserResponse>> GetUserAsync(
        ApiParameters parameters, ClaimsPrincipal principal, UserCards cards, PublicUrls urls, CancellationToken cancellationToken)
    {
        if (!parameters.TryGetInt64("user_id", out var userId, out var error))
        {
            return TypedResults.Ok(ApiResponse.Fail<UserResponse>(error));
        }

        var viewerId = principal.GetUserId();
        var user = await cards.GetAsync(userId > 0 ? userId : viewerId!.Value, viewerId, cancellationToken);
        return user is null
            ? TypedResults.Ok(ApiResponse.Fail<UserResponse>(ApiStatus.NotFound, "That user does not exist."))
            : TypedResults.Ok(new UserResponse { User = urls.Absolute(parameters.HttpContext, user) });
    }
}
