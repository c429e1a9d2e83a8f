using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Douyin.ServiceDefaults.Shutdown;

/// <summary>
/// On SIGTERM the service turns unready at once and goes on serving for <see cref="ShutdownOptions.DrainDelay"/>,
/// so that no caller is still routed to it when the server stops listening. Only then do the host's services stop
/// (Kestrel finishes what is in flight; consumers and the outbox dispatcher stop within the rest of the timeout).
/// </summary>
public static partial class GracefulShutdownExtensions
{
    public const string HealthCheckName = "draining";

    public static TBuilder AddGracefulShutdown<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName);
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.Value.DrainDelay + shutdown.Value.StopTimeout);
        builder.Services.AddSingleton<Drain>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Drain>());
        // Readiness only: a draining process is alive, and a liveness failure would get it killed before it drained.
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(HealthCheckName,
            sp => sp.GetRequiredService<Drain>(), failureStatus: HealthStatus.Unhealthy, tags: []));
        return builder;
    }

    internal sealed partial class Drain(IOptions<ShutdownOptions> options, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<Drain> logger)
        : IHostedLifecycleService, IHealthCheck
    {
        long _drainStarted; // a TimeProvider timestamp, 0 while serving

        public Task StartingAsync(CancellationToken cancellationToken)
        {
            // SIGTERM raises ApplicationStopping before the host calls StoppingAsync: turn unready at that first moment.
            lifetime.ApplicationStopping.Register(Begin);
            return Task.CompletedTask;
        }

        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            Begin();
            var remaining = options.Value.DrainDelay - time.GetElapsedTime(Volatile.Read(ref _drainStarted));
            if (remaining > TimeSpan.Zero)
            {
                await Task.Delay(remaining, time, cancellationToken);
            }
            LogDrained(logger);
        }

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Volatile.Read(ref _drainStarted) == 0
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, "The service is stopping."));

        void Begin()
        {
            if (Interlocked.CompareExchange(ref _drainStarted, Math.Max(1, time.GetTimestamp()), 0) == 0)
            {
                LogDraining(logger, options.Value.DrainDelay);
            }
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(LogLevel.Information, "Stopping: unready now, serving for {DrainDelay} more so that callers move elsewhere.")]
        static partial void LogDraining(ILogger logger, TimeSpan drainDelay);

        [LoggerMessage(LogLevel.Information, "Drained: stopping the server and the background services.")]
        static partial void LogDrained(ILogger logger);
    }
}
