using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Douyin.ServiceDefaults.Telemetry;

/// <summary>
/// Stands in for <c>services.AddOpenTelemetry()</c> from OpenTelemetry.Extensions.Hosting, which our registry lacks:
/// the SDK's WithTracing/WithMetrics/UseOtlpExporter extensions only need an <see cref="IOpenTelemetryBuilder"/>.
/// </summary>
internal sealed class OpenTelemetryServicesBuilder(IServiceCollection services) : IOpenTelemetryBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>The providers are built lazily by DI; resolving them at start-up is what the hosting package's hosted service does.</summary>
internal sealed class OpenTelemetryStarter(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetService<TracerProvider>();
        services.GetService<MeterProvider>();
        services.GetService<LoggerProvider>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Keeps health probes out of traces (the instrumentation package's Filter, which we do not have):
/// clearing the Recorded flag makes the export processor skip the span.
/// </summary>
internal sealed class HealthProbeTraceFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (Activity.Current is { } activity && Microsoft.Extensions.Hosting.Extensions.IsHealthProbe(context.Request.Path))
            {
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                activity.IsAllDataRequested = false;
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
