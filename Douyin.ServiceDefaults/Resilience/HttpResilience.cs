using System.Net;
using Douyin.ServiceDefaults.Resilience;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace Douyin.ServiceDefaults.Resilience
{
    /// <summary>
    /// The standard resilience handler's strategies (shared/design/aspire-conventions.md §4.1), tuned for calls
    /// between our services, which sit inside the mobile client's 5 s budget: shorter timeouts and back-off.
    /// Bound from the <c>HttpClientResilience</c> section.
    /// </summary>
    public sealed class HttpResilienceOptions
    {
        public TimeSpan TotalRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);
        public int MaxRetryAttempts { get; set; } = 2;
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);
        public double FailureRatio { get; set; } = 0.1;
        public int MinimumThroughput { get; set; } = 100;
        public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);
        public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(5);
    }

    /// <summary>One pipeline per named client, so a circuit opened for one dependency does not block another.</summary>
    internal sealed class HttpResiliencePipelines(IOptionsMonitor<HttpResilienceOptions> options)
    {
        internal static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("Douyin.Http.Request");
        readonly ResiliencePipelineRegistry<string> _registry = new();

        public ResiliencePipeline<HttpResponseMessage> Get(string clientName) =>
            _registry.GetOrAddPipeline<HttpResponseMessage>(clientName, builder => Build(builder, options.CurrentValue));

        static void Build(ResiliencePipelineBuilder<HttpResponseMessage> builder, HttpResilienceOptions o)
        {
            builder.AddTimeout(o.TotalRequestTimeout);
            if (o.MaxRetryAttempts > 0)
            {
                builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
                {
                    MaxRetryAttempts = o.MaxRetryAttempts,
                    Delay = o.RetryBaseDelay,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome) && IsReplayable(args.Context)),
                    DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome)),
                    OnRetry = args =>
                    {
                        args.Outcome.Result?.Dispose();
                        return ValueTask.CompletedTask;
                    },
                });
            }

            builder
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
                {
                    FailureRatio = o.FailureRatio,
                    MinimumThroughput = o.MinimumThroughput,
                    SamplingDuration = o.SamplingDuration,
                    BreakDuration = o.BreakDuration,
                    ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                })
                .AddTimeout(o.AttemptTimeout);
        }

        static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
        {
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            { Result: { } response } => (int)response.StatusCode >= 500
                || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
            _ => false,
        };

        // Only idempotent requests are retried, or a POST its caller marked safe to repeat (a batched read).
        static bool IsReplayable(ResilienceContext context) =>
            context.Properties.TryGetValue(RequestKey, out var request)
            && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Options
                || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete
                || request.Options.TryGetValue(HttpResilience.Retryable, out var retryable) && retryable)
            && request.Content is null or ByteArrayContent or System.Net.Http.Json.JsonContent;

        static TimeSpan? RetryAfter(Outcome<HttpResponseMessage> outcome) =>
            outcome.Result?.Headers.RetryAfter?.Delta is { } delta && delta < TimeSpan.FromSeconds(5) ? delta : null;
    }

    internal sealed class ResilienceHandler(ResiliencePipeline<HttpResponseMessage> pipeline) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(HttpResiliencePipelines.RequestKey, request);
            try
            {
                return await pipeline.ExecuteAsync(
                    static (ctx, state) => new ValueTask<HttpResponseMessage>(state.Handler.SendCore(state.Request, ctx.CancellationToken)),
                    context,
                    (Handler: this, Request: request));
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        Task<HttpResponseMessage> SendCore(HttpRequestMessage request, CancellationToken cancellationToken) =>
            base.SendAsync(request, cancellationToken);
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    public static class HttpResilience
    {
        /// <summary>Set on a POST whose repetition is harmless (a read in a body) to let it be retried.</summary>
        public static readonly HttpRequestOptionsKey<bool> Retryable = new("Douyin.Http.Retryable");

        /// <summary>Polly v8 pipeline: total timeout, retry with jitter (idempotent calls), circuit breaker, attempt timeout.</summary>
        public static IHttpClientBuilder AddStandardResilienceHandler(this IHttpClientBuilder builder)
        {
            builder.Services.AddOptions<HttpResilienceOptions>().BindConfiguration("HttpClientResilience");
            builder.Services.TryAddSingleton<HttpResiliencePipelines>();
            // The handler builder knows the client's name (the defaults builder does not), and the name picks the pipeline.
            builder.Services.Configure<HttpClientFactoryOptions>(builder.Name, options => options.HttpMessageHandlerBuilderActions.Add(handlers =>
                handlers.AdditionalHandlers.Add(new ResilienceHandler(
                    handlers.Services.GetRequiredService<HttpResiliencePipelines>().Get(handlers.Name ?? Microsoft.Extensions.Options.Options.DefaultName)))));
            return builder;
        }
    }
}
