using Microsoft.Extensions.Logging;

namespace Douyin.AppHost;

public static class ResourceReport
{
    /// <summary>
    /// Logs each resource with its addresses once it is healthy ("web is healthy at http://localhost:8080"): the console's
    /// short version of the dashboard, and what scripts (bench/run.sh) wait for and read their ports from.
    /// </summary>
    public static IDistributedApplicationBuilder LogResourcesWhenHealthy(this IDistributedApplicationBuilder builder)
    {
        builder.Eventing.Subscribe<ResourceReadyEvent>((@event, _) =>
        {
            var addresses = @event.Resource.Annotations.OfType<EndpointAnnotation>()
                .Select(e => e.AllocatedEndpoint?.UriString).OfType<string>().ToList();
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Douyin.AppHost")
                .LogInformation("{Resource} is healthy at {Addresses}", @event.Resource.Name, addresses.Count > 0 ? string.Join(' ', addresses) : "(no endpoint)");
            return Task.CompletedTask;
        });
        return builder;
    }
}
