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
            if (addresses.Count == 0)
            {
                return Task.CompletedTask; // parameters, databases: the dashboard lists them
            }
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Douyin.AppHost")
                .LogInformation("{Resource} is healthy at {Addresses}", @event.Resource.Name, string.Join(' ', addresses));
            return Task.CompletedTask;
        });
        return builder;
    }
}
