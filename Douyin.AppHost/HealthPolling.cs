using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Douyin.AppHost;

public static class HealthPolling
{
    /// <summary>
    /// Aspire checks an unhealthy resource again 1, 2, 3, 4 and then every 5 s (ResourceHealthCheckService, not
    /// configurable), so a resource ready just after a check is seen healthy up to 5 s late, and everything that WaitFor it
    /// starts that much later: once for the servers, once for feed, social and chat, once for web. So every resource health
    /// check, while unhealthy, asks again every 250 ms for up to 10 s before it answers: a resource is seen healthy within
    /// 250 ms of being so, most of the time. The price: a resource that turns unhealthy shows so up to 10 s later.
    /// </summary>
    public static IDistributedApplicationBuilder PollUnhealthyResources(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                Poll(registration);
            }
        });
        return builder;
    }

    /// <summary>Makes one registration's check poll while unhealthy: also for checks registered after start-up (replica copies).</summary>
    internal static HealthCheckRegistration Poll(HealthCheckRegistration registration)
    {
        var factory = registration.Factory;
        registration.Factory = services => new PollingHealthCheck(factory(services), services.GetService<TimeProvider>() ?? TimeProvider.System);
        return registration;
    }

    private sealed class PollingHealthCheck(IHealthCheck check, TimeProvider timeProvider) : IHealthCheck
    {
        private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(250);
        private static readonly TimeSpan s_window = TimeSpan.FromSeconds(10);

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var started = timeProvider.GetTimestamp();
            while (true)
            {
                HealthCheckResult result;
                try
                {
                    result = await check.CheckHealthAsync(context, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    result = new HealthCheckResult(context.Registration.FailureStatus, exception: ex); // what HealthCheckService makes of it
                }
                if (result.Status == HealthStatus.Healthy || timeProvider.GetElapsedTime(started) >= s_window)
                {
                    return result;
                }
                await Task.Delay(s_interval, timeProvider, cancellationToken);
            }
        }
    }
}
