using System.Diagnostics;
using System.Text.Json;
using Douyin.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Douyin.Api
{
    public static class DouyinApi
    {
        public const string PathPrefix = "/douyin";

        public static bool IsApiPath(PathString path) => path.StartsWithSegments(PathPrefix);

        /// <summary>The API's JSON: snake_case names, every field written (no nulls skipped), numbers as numbers.</summary>
        public static void Configure(JsonSerializerOptions options)
        {
            options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            options.DictionaryKeyPolicy = JsonNamingPolicy.SnakeCaseLower;
        }

        /// <summary>The same conventions for our own HTTP clients of internal endpoints.</summary>
        public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

        static JsonSerializerOptions CreateJsonOptions()
        {
            var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
            Configure(options);
            options.MakeReadOnly(populateMissingResolver: true);
            return options;
        }

        /// <summary>Writes the envelope as an HTTP 200 answer, for middleware that refuses a request before any endpoint runs.</summary>
        public static Task WriteEnvelopeAsync(HttpContext context, ApiStatus status, string message)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return context.Response.WriteAsJsonAsync(ApiResponse.Fail(status, message), context.RequestAborted);
        }
    }

    /// <summary>
    /// On the public API an unexpected failure is still an envelope (HTTP 200, no stack trace, a trace id to find it);
    /// elsewhere problem details answer: 400 for a request the framework could not read, the framework's 500 otherwise.
    /// </summary>
    internal sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (context.Response.HasStarted)
            {
                return false;
            }
            if (!DouyinApi.IsApiPath(context.Request.Path))
            {
                // A malformed body of an internal endpoint is the caller's mistake (400), not ours (500).
                if (exception is BadHttpRequestException badRequest)
                {
                    await Results.Problem(statusCode: badRequest.StatusCode, detail: badRequest.Message).ExecuteAsync(context);
                    return true;
                }
                // The database is down and EF's retries are spent: 503 with Retry-After, which tells a calling service
                // (HttpResilience) not to spend its own retries on top, so a chain fails within one service's budget.
                if (IsDatabaseUnavailable(exception))
                {
                    logger.LogWarning("{Path} refused, the database is unavailable: {Reason}", context.Request.Path, exception.Message);
                    context.Response.Headers.RetryAfter = "1";
                    await Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: DatabaseUnavailable).ExecuteAsync(context);
                    return true;
                }
                return false;
            }

            var (status, message) = exception switch
            {
                BadHttpRequestException bad => (ApiStatus.BadRequest, $"Bad request: {bad.Message}"),
                OperationCanceledException when context.RequestAborted.IsCancellationRequested => (ApiStatus.BadRequest, "Request cancelled."),
                // PostgreSQL down or restarting, past EF's few retries: the client may simply try again.
                _ when IsDatabaseUnavailable(exception) => (ApiStatus.Unavailable, DatabaseUnavailable),
                _ => (ApiStatus.InternalError, $"Internal error; trace id {Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier}."),
            };
            if (status == ApiStatus.InternalError)
            {
                logger.LogError(exception, "Unhandled exception on {Path}", context.Request.Path);
            }
            else if (status == ApiStatus.Unavailable)
            {
                logger.LogWarning("{Path} refused, the database is unavailable: {Reason}", context.Request.Path, exception.Message);
            }
            await DouyinApi.WriteEnvelopeAsync(context, status, message);
            return true;
        }

        const string DatabaseUnavailable = "The database is unavailable; try again shortly.";

        static bool IsDatabaseUnavailable(Exception exception) =>
            exception is Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException or Npgsql.NpgsqlException { IsTransient: true };
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class ApiExtensions
    {
        /// <summary>JSON conventions, problem details and the envelope-writing exception handler of the public API.</summary>
        public static IHostApplicationBuilder AddDouyinApi(this IHostApplicationBuilder builder)
        {
            builder.Services.ConfigureHttpJsonOptions(o => DouyinApi.Configure(o.SerializerOptions));
            builder.Services.AddProblemDetails();
            builder.Services.AddExceptionHandler<ApiExceptionHandler>();
            builder.Services.AddSingleton<PublicUrls>();
            // Douyin.Web forwards the client's host too, so absolute URLs point where the client can reach.
            builder.Services.PostConfigure<ForwardedHeadersOptions>(o => o.ForwardedHeaders |= ForwardedHeaders.XForwardedHost);
            return builder;
        }

        /// <summary>Exception handling first; unmatched <c>/douyin/</c> paths answer with the envelope, not a bare 404.</summary>
        public static WebApplication UseDouyinApi(this WebApplication app)
        {
            app.UseExceptionHandler();
            // Every parameter of the API is short; a query past this is refused with a reason rather than parsed.
            var maxQueryLength = app.Configuration.GetValue("Api:MaxQueryLength", 8 * 1024);
            app.Use((context, next) =>
                DouyinApi.IsApiPath(context.Request.Path) && context.Request.QueryString.Value?.Length > maxQueryLength
                    ? DouyinApi.WriteEnvelopeAsync(context, ApiStatus.BadRequest, $"The query string is longer than {maxQueryLength} characters.")
                    : next(context));
            app.UseStatusCodePages(async context =>
            {
                var http = context.HttpContext;
                if (DouyinApi.IsApiPath(http.Request.Path) && http.Response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed)
                {
                    var message = http.Response.StatusCode == StatusCodes.Status404NotFound
                        ? $"Unknown endpoint {http.Request.Path}."
                        : $"{http.Request.Method} is not allowed on {http.Request.Path}.";
                    await DouyinApi.WriteEnvelopeAsync(http, ApiStatus.NotFound, message);
                }
            });
            return app;
        }
    }
}
