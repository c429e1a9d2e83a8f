using Aspire.Hosting.Eventing;
using Aspire.Hosting.Lifecycle;
using Douyin.AppHost.LocalServers;
using HealthChecks.Uris;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Douyin.AppHost;

public static class ProjectEndpoints
{
    /// <summary>
    /// In run mode a project with <c>WithReplicas(n)</c> runs as n resources, <c>feed</c>, <c>feed-1</c> ... <c>feed-{n-1}</c>
    /// (<see cref="ReplicaResources"/>), each on its own port, as Kubernetes gives each pod its address behind a headless
    /// Service: the edge balances, health-checks and fails over between replicas itself (Douyin.Web/Gateway).
    /// </summary>
    public static IDistributedApplicationBuilder RunReplicasAsResources(this IDistributedApplicationBuilder builder)
    {
        builder.Services.TryAddEventingSubscriber<ReplicaResources>();
        builder.Services.AddHttpClient(ReplicaResources.HealthClient).RemoveAllLoggers(); // as Aspire's own health checks: no log per probe
        return builder;
    }

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
    /// when the process has not ended about 15 s after, so a drain does not fit in dcp's stop.</item>
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

/// <summary>
/// Why not dcp's replicas: dcp runs the replicas of one resource only behind its proxy (DcpExecutor refuses a proxy-less
/// endpoint with replicas), so service discovery saw one address, a frozen or draining replica kept getting the proxy's
/// traffic, and the edge's per-replica health checks had one destination to take out. Each extra replica is therefore
/// a resource of its own with the original's annotations (project, settings, references, waits), its own endpoints (made
/// proxy-less by <see cref="ProjectEndpoints.SkipProxyForSingleReplicas"/>) and its own health check; the dashboard shows,
/// stops and starts each, and every consumer gets <c>services__feed__http__0..n-1</c> and waits for all of them. An
/// eventing subscriber runs after the testing builder's changes and before BeforeStartEvent, whose first handler names
/// the dcp instances of every resource. Publish mode keeps the replica count (a Deployment's replicas).
/// </summary>
sealed class ReplicaResources(DistributedApplicationModel model, IOptions<HealthCheckServiceOptions> healthChecks) : IDistributedApplicationEventingSubscriber
{
    public const string HealthClient = "replica-health";

    public Task SubscribeAsync(IDistributedApplicationEventing eventing, DistributedApplicationExecutionContext executionContext, CancellationToken cancellationToken)
    {
        if (executionContext.IsPublishMode)
        {
            return Task.CompletedTask;
        }
        foreach (var project in model.Resources.OfType<ProjectResource>().Where(p => p.GetReplicaCount() > 1).ToList())
        {
            var replicas = Enumerable.Range(1, project.GetReplicaCount() - 1).Select(i => Replica(project, i)).ToList();
            foreach (var count in project.Annotations.OfType<ReplicaAnnotation>().ToList())
            {
                project.Annotations.Remove(count); // one per WithReplicas call (the testing builder's after Program.cs's)
            }
            foreach (var replica in replicas)
            {
                model.Resources.Insert(model.Resources.IndexOf(project) + 1 + replicas.IndexOf(replica), replica);
            }
            foreach (var consumer in model.Resources.Where(r => r.Annotations.OfType<ResourceRelationshipAnnotation>().Any(a => a.Resource == project && a.Type == "Reference")))
            {
                consumer.Annotations.Add(new EnvironmentCallbackAnnotation(context => AddServiceDiscovery(context, project.Name, replicas)));
            }
            foreach (var (consumer, wait) in model.Resources.SelectMany(r => r.Annotations.OfType<WaitAnnotation>().Where(w => w.Resource == project).Select(w => (r, w))).ToList())
            {
                replicas.ForEach(replica => consumer.Annotations.Add(new WaitAnnotation(replica, wait.WaitType, wait.ExitCode) { WaitBehavior = wait.WaitBehavior }));
            }
        }
        return Task.CompletedTask;
    }

    ProjectResource Replica(ProjectResource project, int index)
    {
        var replica = new ProjectResource($"{project.Name}-{index}");
        // What a ProjectResource makes itself (its launch recipe, pipeline steps) it must have once; settings are copied.
        var own = replica.Annotations.Select(a => a.GetType()).Where(t => t != typeof(EnvironmentCallbackAnnotation)).ToHashSet();
        foreach (var annotation in project.Annotations.Where(a => !own.Contains(a.GetType())))
        {
            if (annotation is EndpointAnnotation e)
            {
                replica.Annotations.Add(new EndpointAnnotation(e.Protocol, e.UriScheme, e.Transport, e.Name, isExternal: e.IsExternal, isProxied: false));
            }
            else if (annotation is HealthCheckAnnotation check && UrlCheckPath(project, check.Key) is { } path)
            {
                replica.Annotations.Add(new HealthCheckAnnotation(AddUrlCheck(replica, path)));
            }
            else if (annotation is EnvironmentCallbackAnnotation environment)
            {
                // An instance of its own: one shared by two resources lost variables in either (seen: connection strings).
                replica.Annotations.Add(new EnvironmentCallbackAnnotation(environment.Callback));
            }
            else if (annotation is not ReplicaAnnotation)
            {
                replica.Annotations.Add(annotation);
            }
        }
        // Aspire's ASPNETCORE_URLS callback, copied with the rest, names the original's endpoints.
        replica.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
        {
            var urls = new ReferenceExpressionBuilder();
            foreach (var endpoint in replica.GetEndpoints())
            {
                urls.AppendLiteral(urls.IsEmpty ? "" : ";");
                urls.Append($"{endpoint.Property(EndpointProperty.Scheme)}://{endpoint.EndpointAnnotation.TargetHost}:{endpoint.Property(EndpointProperty.TargetPort)}");
            }
            context.EnvironmentVariables["ASPNETCORE_URLS"] = urls.Build();
        }));
        return replica;
    }

    /// <summary>The path of a check WithHttpHealthCheck made (its key is "{resource}_{endpoint}_{path}_{status}_check").</summary>
    static string? UrlCheckPath(IResource project, string key) =>
        key.StartsWith($"{project.Name}_http_", StringComparison.Ordinal) && key.EndsWith("_200_check", StringComparison.Ordinal)
            ? key[$"{project.Name}_http_".Length..^"_200_check".Length]
            : null;

    /// <summary>What WithHttpHealthCheck registers, registered late: the options' list is read on every check.</summary>
    string AddUrlCheck(ProjectResource replica, string path)
    {
        var key = $"{replica.Name}_http_{path}_200_check";
        // Polled like the original's (HealthPolling), so a replica is seen healthy as soon.
        healthChecks.Value.Registrations.Add(HealthPolling.Poll(new HealthCheckRegistration(key, services => new UriHealthCheck(
            new UriHealthCheckOptions().AddUri(new Uri(new Uri(replica.GetEndpoint("http").Url), path)),
            () => services.GetRequiredService<IHttpClientFactory>().CreateClient(HealthClient)), failureStatus: null, tags: null)));
        return key;
    }

    /// <summary>services__feed__http__1 and on, after WithReference's __0, as Aspire numbers them: the next free index.</summary>
    static void AddServiceDiscovery(EnvironmentCallbackContext context, string service, IEnumerable<ProjectResource> replicas)
    {
        foreach (var endpoint in replicas.SelectMany(r => r.GetEndpoints()))
        {
            var index = 0;
            while (context.EnvironmentVariables.ContainsKey($"services__{service}__{endpoint.Scheme}__{index}"))
            {
                index++;
            }
            context.EnvironmentVariables[$"services__{service}__{endpoint.Scheme}__{index}"] = endpoint;
        }
    }
}
