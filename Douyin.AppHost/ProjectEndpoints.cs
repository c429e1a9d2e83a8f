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

    /// <summary>
    /// Every project reads the X-Forwarded-* headers of the hop in front of it, in run mode too (Aspire sets
    /// ASPNETCORE_FORWARDEDHEADERS_ENABLED only when publishing): the services take the client's address (login and
    /// upload limits) and host (absolute avatar and media URLs) from the edge's headers. The edge itself narrows whom
    /// it believes to its configured proxies (Douyin.Web/Gateway/TrustedProxies).
    /// </summary>
    public static IDistributedApplicationBuilder ForwardHeadersInRunMode(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
                project.Annotations.Add(new EnvironmentCallbackAnnotation((EnvironmentCallbackContext context) =>
                    context.EnvironmentVariables["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true"));
            }
            return Task.CompletedTask;
        });
        return builder;
    }
}
