using Douyin.AppHost.LocalServers;

namespace Douyin.AppHost;

public static class ProjectEndpoints
{
    /// <summary>
    /// A project with one replica listens on its endpoint's port itself, without the orchestrator's proxy in front: one hop
    /// less on every call, and the port stays the service's while it is stopped (the fault tests listen there). Replicas
    /// need the proxy, which spreads connections over them. Under the testing builder (DcpPublisher:RandomizePorts) the
    /// ports are free ones, so that apps run side by side.
    /// </summary>
    public static IDistributedApplicationBuilder SkipProxyForSingleReplicas(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var randomize = builder.Configuration.GetValue<bool>("DcpPublisher:RandomizePorts");
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>().Where(p => p.GetReplicaCount() == 1))
            {
                foreach (var endpoint in project.Annotations.OfType<EndpointAnnotation>())
                {
                    var port = randomize || endpoint.Port is null ? LocalServerExtensions.FreePort() : endpoint.Port.Value;
                    endpoint.IsProxied = false;
                    endpoint.Port = port;
                    endpoint.TargetPort = port;
                }
            }
            return Task.CompletedTask;
        });
        return builder;
    }
}
