using System.Text.Json.Serialization;

namespace Douyin.Api;

/// <summary>
/// The envelope every <c>/douyin/...</c> answer carries (shared/api/douyin-api.md §1.3): always HTTP 200,
/// <c>status_code</c> 0 for success, and a non-empty <c>status_msg</c> either way.
/// Endpoint responses derive from it and initialise every field, so failures still carry <c>token: ""</c> and <c>[]</c>.
/// </summary>
public class ApiResponse
{
    public const string SuccessMessage = "success";

    [JsonPropertyOrder(-2)]
    public int StatusCode { get; set; }

    [JsonPropertyOrder(-1)]
    public string StatusMsg { get; set; } = SuccessMessage;

    public static ApiResponse Ok() => new();

    public static ApiResponse Fail(ApiStatus status, string message) => Fail<ApiResponse>(status, message);

    public static T Fail<T>(ApiStatus status, string message) where T : ApiResponse, new() =>
        new() { StatusCode = (int)status, StatusMsg = message };

    public static T Fail<T>(ApiError error) where T : ApiResponse, new() => Fail<T>(error.Status, error.Message);
}

/// <summary>
/// Failure codes in <c>status_code</c>. The mobile client only tells 0 from non-0; the values mirror HTTP
/// so that people reading logs and tests know them at a glance.
/// </summary>
public enum ApiStatus
{
    Success = 0,
    BadRequest = 400,
    Unauthorized = 401,
    Forbidden = 403,
    NotFound = 404,
    Conflict = 409,
    TooManyRequests = 429,
    InternalError = 500,
    Unavailable = 503,
}

/// <summary>A refusal with its reason, for validation helpers that return either a value or an error.</summary>
public sealed record ApiError(ApiStatus Status, string Message)
{
    public static ApiError BadRequest(string message) => new(ApiStatus.BadRequest, message);
}
