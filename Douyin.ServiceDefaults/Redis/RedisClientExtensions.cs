using Douyin.ServiceDefaults.Hosting;
using Douyin.ServiceDefaults.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

public static class RedisClientExtensions
{
    const string DefaultConfigSectionName = "Aspire:StackExchange:Redis";
    const string HealthCheckName = "Redis";

    /// <summary>
    /// Registers a singleton <see cref="RedisConnection"/> for <c>ConnectionStrings:<paramref name="connectionName"/></c>,
    /// plus a "Redis" readiness health check, in the shape of Aspire's AddRedisClient. Nothing connects until the
    /// connection is first resolved, and a Redis that is down then does not fail the app (abortConnect=false).
    /// </summary>
    public static void AddRedisClient(this IHostApplicationBuilder builder, string connectionName, Action<RedisClientSettings>? configureSettings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        var settings = ClientSettings.Bind(builder, DefaultConfigSectionName, connectionName, configureSettings);
        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw ClientSettings.Missing("Redis", connectionName);
        }
        var options = RedisOptions.Parse(settings.ConnectionString) with
        {
            DisableTracing = settings.DisableTracing,
            DisableMetrics = settings.DisableMetrics,
        };

        builder.Services.AddSingleton(sp => new RedisConnection(
            options, sp.GetRequiredService<ILogger<RedisConnection>>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));

        if (!settings.DisableHealthChecks && builder.Properties.TryAdd(HealthCheckName, true))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                HealthCheckName,
                sp => new RedisHealthCheck(sp.GetRequiredService<RedisConnection>()),
                failureStatus: null,
                tags: ["ready"],
                timeout: TimeSpan.FromSeconds(2)));
        }
    }

    sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var latency = await redis.PingAsync(cancellationToken);
                return HealthCheckResult.Healthy($"PING took {latency.TotalMilliseconds:0.0} ms.");
            }
            catch (Exception ex) when (ex is RedisException or OperationCanceledException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"Redis at {redis.Options.Endpoint} did not answer PING.", ex);
            }
        }
    }
}
