using Douyin.ServiceDefaults;
using Douyin.ServiceDefaults.Resilience;
using Douyin.ServiceDefaults.ServiceDiscovery;
using Douyin.ServiceDefaults.Telemetry;
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
/// Aspire's ServiceDefaults template, rebuilt on the packages our registry has
/// (see shared/design/aspire-conventions.md §6). The public surface is the template's, so this file
/// can be swapped for the real one without touching a service.
/// </summary>
public static class Extensions
{
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddBasicServiceDefaults();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            // Outermost first: each retry resolves the service name again, so it may reach another replica.
            http.AddStandardResilienceHandler();
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

        // .NET 10 leaves the semantic-convention tags (route, method, status) off ASP.NET Core's server spans by default.
        AppContext.SetSwitch("Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData", false);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otel = new OpenTelemetryServicesBuilder(builder.Services)
            .WithMetrics(metrics => metrics
                .AddMeter(
                    "Microsoft.AspNetCore.Hosting",
                    "Microsoft.AspNetCore.Server.Kestrel",
                    "Microsoft.AspNetCore.Routing",
                    "Microsoft.AspNetCore.Diagnostics",
                    "Microsoft.AspNetCore.RateLimiting",
                    "System.Net.Http",
                    "System.Net.NameResolution",
                    "System.Runtime",
                    // Npgsql's meter and ActivitySource come with Aspire's AddNpgsqlDbContext (AddServiceDatabase).
                    "Microsoft.EntityFrameworkCore",
                    // Our own building blocks (Douyin.Redis, Douyin.Blobs, Douyin.EventBus...) and the service itself.
                    "Douyin.*"))
            .WithTracing(tracing =>
            {
                if (builder.Environment.IsDevelopment())
                {
                    tracing.SetSampler(new AlwaysOnSampler());
                }

                tracing
                    .AddSource(builder.Environment.ApplicationName, "Microsoft.AspNetCore", "System.Net.Http")
                    .AddSource("RabbitMQ.Client.*", "Douyin.*");
            });

        otel.UseOtlpExporter();

        builder.Services.AddHostedService<OpenTelemetryStarter>();
        builder.Services.AddTransient<IStartupFilter, ServerSpanEnricher>();
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // "live" means the process answers; every other check feeds readiness.
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
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
