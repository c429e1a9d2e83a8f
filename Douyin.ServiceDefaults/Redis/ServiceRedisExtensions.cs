using Douyin.ServiceDefaults.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

public static class ServiceRedisExtensions
{
    /// <summary>The name Aspire's AddRedisClient gives its health check.</summary>
    public const string HealthCheckName = "StackExchange.Redis";

    /// <summary>
    /// Aspire's <c>IConnectionMultiplexer</c> on <c>ConnectionStrings:{connectionName}</c> (settings under
    /// <c>Aspire:StackExchange:Redis</c>), with our fail-fast defaults (<see cref="RedisDefaults"/>), the <c>ready</c>
    /// tag and a timeout on its health check, and Redis spans only when an OTLP endpoint is set.
    /// </summary>
    public static IHostApplicationBuilder AddServiceRedis(this IHostApplicationBuilder builder, string connectionName)
    {
        // The exporter is the on/off switch of telemetry (see ConfigureOpenTelemetry): without one, Aspire's Redis
        // instrumentation would profile every command for nobody.
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.AddRedisClient(connectionName,
            settings => settings.DisableTracing |= !exporting,
            options => options.UseDouyinDefaults());
        // Aspire's check has no tags and no timeout: a hung server would hold /health past the probes' own timeout.
        builder.Services.Configure<HealthCheckServiceOptions>(health =>
        {
            foreach (var check in health.Registrations.Where(r => r.Name == HealthCheckName))
            {
                check.Tags.Add("ready");
                check.Timeout = TimeSpan.FromSeconds(2);
            }
        });
        return builder;
    }
}
