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
    /// What every project is given in run mode only, since dcp differs there from a deployment:
    /// <list type="bullet">
    /// <item>ASPNETCORE_FORWARDEDHEADERS_ENABLED, which Aspire sets only when publishing: the services take the client's
    /// address (login and upload limits) and host (absolute avatar and media URLs) from the edge's X-Forwarded-*
    /// headers. The edge narrows whom it believes to its configured proxies (Douyin.Web/Gateway/TrustedProxies).</item>
    /// <item>No drain and a 5 s stop (Shutdown:*, docs/reliability.md): dcp stops a project by sending SIGTERM to its
    /// `dotnet run` and SIGKILL 6 s later, which orphans the service still stopping, and Aspire's stop command fails
    /// when the process has not ended about 15 s after. A drain would wait for no one here: the edge reaches replicas
    /// through dcp's proxy, which does not read their readiness.</item>
    /// <item>No OTLP endpoint when there is no dashboard (--no-dashboard, the testing builder): Aspire names the
    /// dashboard's regardless, and the exporters' in-memory retries against nothing held a stopping Feed in its
    /// MeterProvider's shutdown past dcp's SIGKILL (seen with dotnet-stack on the orphan).</item>
    /// <item>No HTTPS certificate: the services serve plain HTTP (TLS ends in front of the edge), but Aspire 13.6 gives
    /// every project a developer-certificate callback, and with one it warns on every start, in the dashboard too, that
    /// no trusted development certificate exists.</item>
    /// </list>
    /// </summary>
    public static IDistributedApplicationBuilder ConfigureProjectsForRunMode(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder;
        }
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            var noDashboard = @event.Services.GetRequiredService<DistributedApplicationOptions>().DisableDashboard;
            foreach (var project in @event.Model.Resources.OfType<ProjectResource>())
            {
#pragma warning disable ASPIRECERTIFICATES001 // experimental in Aspire 13.6
                builder.CreateResourceBuilder(project).WithoutHttpsCertificate();
#pragma warning restore ASPIRECERTIFICATES001
                project.Annotations.Add(new EnvironmentCallbackAnnotation((EnvironmentCallbackContext context) =>
                {
                    if (noDashboard)
                    {
                        context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
                    }
                    context.EnvironmentVariables["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
                    context.EnvironmentVariables.TryAdd("Shutdown__DrainDelay", "00:00:00");
                    context.EnvironmentVariables.TryAdd("Shutdown__StopTimeout", "00:00:05");
                }));
            }
            return Task.CompletedTask;
        });
        return builder;
    }
}
