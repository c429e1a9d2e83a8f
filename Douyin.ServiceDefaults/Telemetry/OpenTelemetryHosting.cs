using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
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
/// What the ASP.NET Core instrumentation package did and .NET 10's built-in server spans do not: keeps health
/// probes out of traces (clearing Recorded makes the exporter skip the span) and names each span after its
/// route ("GET /douyin/feed/") with the http.route and status tags.
/// </summary>
internal sealed class ServerSpanEnricher : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            var activity = Activity.Current;
            if (activity is not null && HealthProbes.IsProbe(context.Request.Path))
            {
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                activity.IsAllDataRequested = false;
                activity = null;
            }

            await nextMiddleware(context);

            if (activity is { IsAllDataRequested: true })
            {
                if ((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText is { } route)
                {
                    activity.DisplayName = $"{context.Request.Method} {route}";
                    activity.SetTag("http.route", route);
                }
                activity.SetTag("http.response.status_code", context.Response.StatusCode);
            }
        });
        next(app);
    };
}
