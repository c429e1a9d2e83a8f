using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The standard resilience handler (Microsoft.Extensions.Http.Resilience) with our limits: calls between our services
/// sit inside the mobile client's 5 s budget, so timeouts and back-off are shorter than the package's defaults, and
/// only requests that are safe to repeat are retried. Configuration (section <c>HttpClientResilience</c>, the
/// package's own shape: <c>TotalRequestTimeout:Timeout</c>, <c>Retry:MaxRetryAttempts</c>, ...) overrides them.
/// </summary>
public static class HttpResilience
{
    public const string SectionName = "HttpClientResilience";

    /// <summary>Set on a POST whose repetition is harmless (a read in a body) to let it be retried.</summary>
    public static readonly HttpRequestOptionsKey<bool> Retryable = new("Douyin.Http.Retryable");

    public static IHttpClientBuilder AddDouyinResilienceHandler(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        var pipeline = builder.AddStandardResilienceHandler()
            .Configure(options =>
            {
                options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(10);
                options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(3);
                options.Retry.MaxRetryAttempts = 2;
                options.Retry.Delay = TimeSpan.FromMilliseconds(100);
                options.Retry.ShouldHandle = args => ValueTask.FromResult(
                    HttpClientResiliencePredicates.IsTransient(args.Outcome) && !IsDependencyOutage(args.Outcome.Result)
                    && IsReplayable(args.Context.GetRequestMessage()));
                options.CircuitBreaker.FailureRatio = 0.1;
                options.CircuitBreaker.MinimumThroughput = 100;
                options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
                options.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(5);
            });
        // The package refuses an empty section, and most deployments set none.
        if (configuration.GetSection(SectionName) is var section && section.Exists())
        {
            pipeline.Configure(section);
        }
        return builder;
    }

    // A 503 with Retry-After is a service of ours reporting its own dependency down after spending its own retries
    // (ApiExceptionHandler): retrying it would multiply them along the chain, past the client's budget.
    static bool IsDependencyOutage(HttpResponseMessage? response) =>
        response is { StatusCode: System.Net.HttpStatusCode.ServiceUnavailable, Headers.RetryAfter: not null };

    // A POST is repeated only when its caller marked it safe (a batched read), and only a body that can be sent again.
    static bool IsReplayable(HttpRequestMessage? request) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
            || request.Options.TryGetValue(Retryable, out var retryable) && retryable)
        && request.Content is null or ByteArrayContent or JsonContent;
}
