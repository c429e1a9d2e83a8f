using Douyin.ServiceDefaults;
using Douyin.ServiceDefaults.Shutdown;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Aspire's ServiceDefaults template (shared/design/aspire-conventions.md §6), with our health-probe filter and the
/// sources of our building blocks.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();

        // Microsoft.Extensions.ServiceDiscovery: "http://social" resolves from services:social:http:<i>, replicas in turn.
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Outermost first: each retry resolves the service name again, so it may reach another replica.
            http.AddDouyinResilienceHandler(builder.Configuration);
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>Health checks and OpenTelemetry only, for services that make no outgoing HTTP calls.</summary>
    public static TBuilder AddBasicServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // The exporter is the on/off switch: an AppHost sets the endpoint only when a collector listens. Without one,
        // recording spans and aggregating metrics would cost every request CPU for data nobody receives.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(
                    "Microsoft.AspNetCore.RateLimiting",
                    "System.Net.NameResolution",
                    // Npgsql's meter and ActivitySource come with Aspire's AddNpgsqlDbContext (AddServiceDatabase).
                    "Microsoft.EntityFrameworkCore",
                    // Our own building blocks (Douyin.EventBus...) and the service itself; Redis spans come with Aspire's AddRedisClient (AddServiceRedis).
                    "Douyin.*"))
            .WithTracing(tracing =>
            {
                if (builder.Environment.IsDevelopment())
                {
                    tracing.SetSampler(new AlwaysOnSampler());
                }

                tracing
                    .AddSource(builder.Environment.ApplicationName)
                    // Probes every few seconds would drown the traces that matter.
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !HealthProbes.IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddSource("RabbitMQ.Client.*", "Douyin.*");
            })
            .UseOtlpExporter();

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // "live" means the process answers; every other check feeds readiness.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.AddGracefulShutdown();
        return builder;
    }

    /// <summary>
    /// Maps /health (every check) and /alive (liveness only). Like the template, only in Development,
    /// unless <c>HealthChecks:Expose</c> is true (Kubernetes probes need them in Production).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        if (app.Environment.IsDevelopment() || app.Configuration.GetValue<bool>("HealthChecks:Expose"))
        {
            app.MapHealthChecks(HealthProbes.HealthPath);
            app.MapHealthChecks(HealthProbes.AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live") });
        }

        return app;
    }
}
