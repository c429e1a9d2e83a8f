using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>
/// Run mode without DCP or containers: allocates ports, starts backing services as local processes and projects as
/// `dotnet &lt;assembly&gt;` (one process per replica), honours WaitFor, tracks health, and stops everything in order.
/// </summary>
internal sealed class Orchestrator(
    DistributedApplicationModel model,
    IDistributedApplicationBuilder builder,
    ResourceNotificationService notifications,
    ResourceConsole console,
    ILogger<Orchestrator> logger) : IHostedService
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentBag<Task> _starts = [];
    private readonly Lock _allocationLock = new();
    private readonly HashSet<IResource> _existing = [];
    private List<Runner> _runners = [];
    private bool _prepared;
    private volatile bool _startupComplete;

    internal string DataPath => ((DistributedApplicationBuilder)builder).DataPath;
    internal IConfiguration Configuration => builder.Configuration;
    internal ResourceConsole Console => console;
    internal ILogger Logger => logger;
    internal CancellationToken Stopping => _stopping.Token;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Prepare();
        Directory.CreateDirectory(DataPath);
        foreach (var resource in model.Resources)
        {
            await notifications.PublishUpdateAsync(resource, s => resource is IResourceWithoutLifetime
                ? s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Healthy }
                : s with { Urls = UrlsOf(resource) });
        }
        _runners =
        [
            .. model.Resources.OfType<ProjectResource>().Select(p => (Runner)new ProjectRunner(p, this)),
            .. model.Resources.Select(r => r.Annotations.OfType<LocalServiceAnnotation>().LastOrDefault()).OfType<LocalServiceAnnotation>()
                .Select(a => new LocalServiceRunner(a.Service, _existing.Contains(a.Service.Resource), this)),
        ];
        foreach (var runner in _runners)
        {
            _starts.Add(StartWhenReadyAsync(runner));
        }
        _ = ReportWhenStartedAsync([.. _starts]);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_starts);
        // Projects first, so they do not log connection failures while their servers go away.
        await Task.WhenAll(_runners.OfType<ProjectRunner>().Select(r => r.StopAsync()));
        await Task.WhenAll(_runners.OfType<LocalServiceRunner>().Select(r => r.StopAsync()));
    }

    public async Task<ExecuteCommandResult> ExecuteCommandAsync(string resourceName, string commandName, CancellationToken cancellationToken)
    {
        if (_runners.FirstOrDefault(r => string.Equals(r.Resource.Name, resourceName, StringComparison.OrdinalIgnoreCase)) is not { } runner)
        {
            return new(false, $"Resource '{resourceName}' has no commands (not found, or not a process).");
        }
        switch (commandName)
        {
            case KnownResourceCommands.StopCommand:
                await runner.StopAsync();
                return new(true);
            case KnownResourceCommands.StartCommand when runner.IsRunning:
                return new(false, $"Resource '{resourceName}' is already running.");
            case KnownResourceCommands.StartCommand:
            case KnownResourceCommands.RestartCommand:
                await runner.StopAsync();
                // Published before returning, so a caller's WaitForResourceHealthyAsync does not see the old Exited state.
                await PublishAsync(runner.Resource, s => s with { State = KnownResourceStates.Starting, ExitCode = null, HealthStatus = null });
                _starts.Add(StartGuardedAsync(runner));
                return new(true);
            default:
                return new(false, $"Unknown command '{commandName}'.");
        }
    }

    /// <summary>Run-mode environment of one replica of a project; allocates ports if needed but starts nothing.</summary>
    internal async Task<IReadOnlyDictionary<string, string>> GetEnvironmentAsync(string resourceName, int replica, CancellationToken cancellationToken)
    {
        Prepare();
        var project = model.Resources.OfType<ProjectResource>().SingleOrDefault(p => string.Equals(p.Name, resourceName, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"No project resource named '{resourceName}'.", nameof(resourceName));
        return await ProjectEnvironment.BuildAsync(project, replica, Configuration, cancellationToken);
    }

    /// <summary>Publishes a state for a resource and mirrors it on its children (databases, blob services).</summary>
    internal async Task PublishAsync(IResource resource, Func<CustomResourceSnapshot, CustomResourceSnapshot> update)
    {
        await notifications.PublishUpdateAsync(resource, update);
        foreach (var child in model.Resources.OfType<IResourceWithParent>().Where(c => c.Parent == resource))
        {
            await notifications.PublishUpdateAsync(child, s => update(s) with { ResourceType = s.ResourceType, Urls = s.Urls });
        }
    }

    /// <summary>A resource stopped on its own: say so, and after startup show the table again.</summary>
    internal void ReportUnexpectedExit(string name, int exitCode)
    {
        logger.LogWarning("Resource {Resource} exited unexpectedly with code {ExitCode}.", name, exitCode);
        if (_startupComplete)
        {
            WriteTable();
        }
    }

    internal async Task WaitUntilHealthyAsync(Func<CancellationToken, Task<bool>> isHealthy, Func<bool> hasFailed, CancellationToken cancellationToken)
    {
        while (!hasFailed() && !await isHealthy(cancellationToken))
        {
            await Task.Delay(s_pollInterval, cancellationToken);
        }
    }

    // Once per application, after configuration is final: existing servers from ConnectionStrings:*, then ports.
    private void Prepare()
    {
        lock (_allocationLock)
        {
            if (_prepared)
            {
                return;
            }
            _existing.UnionWith(LocalService.UseExistingServers(model, builder));
            // Aspire's switch for tests: ignore fixed ports so parallel runs (and a busy 8080) do not clash.
            var randomize = Configuration.GetValue<bool>("DcpPublisher:RandomizePorts");
            foreach (var resource in model.Resources)
            {
                var replicas = resource.GetReplicaCount();
                foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
                {
                    // Without a proxy a project listens where callers connect; a container's target port is internal to it.
                    var fixedPort = endpoint.Port ?? (resource is ProjectResource ? endpoint.TargetPort : null);
                    for (var replica = 0; replica < replicas; replica++)
                    {
                        var port = replica == 0 && !randomize && fixedPort is { } p ? p : PortAllocator.GetFreePort();
                        endpoint.AllocatedEndpoints.Add(new AllocatedEndpoint(endpoint, "localhost", port));
                    }
                }
            }
            _prepared = true;
        }
    }

    private async Task StartWhenReadyAsync(Runner runner)
    {
        var waits = runner.Resource.Annotations.OfType<WaitAnnotation>().Where(w => w.Resource is not IResourceWithoutLifetime).ToList();
        if (waits.Count > 0)
        {
            await PublishAsync(runner.Resource, s => s with { State = KnownResourceStates.Waiting });
        }
        try
        {
            foreach (var wait in waits)
            {
                await notifications.WaitForResourceHealthyAsync(wait.Resource.Name, _stopping.Token);
            }
        }
        catch (DistributedApplicationException ex)
        {
            logger.LogError("Resource {Resource} was not started: {Reason}", runner.Resource.Name, ex.Message);
            await PublishAsync(runner.Resource, s => s with { State = KnownResourceStates.FailedToStart });
            return;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        await StartGuardedAsync(runner);
    }

    private async Task StartGuardedAsync(Runner runner)
    {
        try
        {
            await runner.StartAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Resource {Resource} failed to start.", runner.Resource.Name);
            await PublishAsync(runner.Resource, s => s with { State = KnownResourceStates.FailedToStart });
            await runner.StopAsync();
        }
    }

    private async Task ReportWhenStartedAsync(Task[] starts)
    {
        await Task.WhenAll(starts);
        _startupComplete = true;
        if (!_stopping.IsCancellationRequested)
        {
            WriteTable();
        }
    }

    private void WriteTable() =>
        console.WriteTable(model.Resources.Where(r => r is not IResourceWithoutLifetime)
            .Select(r => notifications.TryGetCurrentState(r.Name, out var e) ? e! : null).OfType<ResourceEvent>());

    private static ImmutableArray<UrlSnapshot> UrlsOf(IResource resource) =>
        [.. resource.Annotations.OfType<EndpointAnnotation>().SelectMany(e => e.AllocatedEndpoints.Select(a => new UrlSnapshot(e.Name, a.UriString, !e.IsExternal)))];

    private abstract class Runner(IResource resource)
    {
        public IResource Resource { get; } = resource;
        public abstract bool IsRunning { get; }
        public abstract Task StartAsync(CancellationToken cancellationToken);
        public abstract Task StopAsync();
    }

    private sealed class ProjectRunner(ProjectResource project, Orchestrator orchestrator) : Runner(project)
    {
        private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(5) };
        private ManagedProcess[] _processes = [];
        private volatile bool _stopRequested;

        public override bool IsRunning => _processes.Any(p => !p.HasExited);

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            _stopRequested = false;
            var targetPath = project.Metadata.TargetPath ?? throw new DistributedApplicationException($"'{project.Name}' has no built assembly path in its project metadata.");
            if (!File.Exists(targetPath))
            {
                throw new DistributedApplicationException($"'{targetPath}' does not exist; build the AppHost (it builds its projects) first.");
            }
            await orchestrator.PublishAsync(project, s => s with { State = KnownResourceStates.Starting, ExitCode = null, HealthStatus = null });
            var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? ProcessSpec.FindOnPath("dotnet") ?? "dotnet";
            var replicas = project.GetReplicaCount();
            var processes = new ManagedProcess[replicas];
            for (var replica = 0; replica < replicas; replica++)
            {
                var environment = await ProjectEnvironment.BuildAsync(project, replica, orchestrator.Configuration, cancellationToken);
                var spec = new ProcessSpec(dotnet, [targetPath], Path.GetDirectoryName(project.Metadata.ProjectPath)!) { Environment = new(environment), StopTimeout = TimeSpan.FromSeconds(10) };
                processes[replica] = ManagedProcess.Start(spec, ProjectEnvironment.ReplicaName(project, replica), orchestrator.Console);
                _ = WatchAsync(processes[replica], ProjectEnvironment.ReplicaName(project, replica));
            }
            _processes = processes;
            var health = project.Annotations.OfType<HttpHealthCheckAnnotation>().LastOrDefault();
            await orchestrator.PublishAsync(project, s => s with { State = KnownResourceStates.Running, HealthStatus = health is null ? HealthStatus.Healthy : HealthStatus.Unhealthy });
            if (health is null)
            {
                return;
            }
            var endpoint = health.Endpoint.EndpointAnnotation;
            for (var replica = 0; replica < replicas; replica++)
            {
                var url = new Uri(new Uri(endpoint.AllocatedEndpoints[replica].UriString), health.Path);
                var process = processes[replica];
                await orchestrator.WaitUntilHealthyAsync(ct => IsHealthyAsync(url, health.StatusCode, ct), () => process.HasExited, cancellationToken);
                if (process.HasExited)
                {
                    return;
                }
            }
            await orchestrator.PublishAsync(project, s => s with { HealthStatus = HealthStatus.Healthy });
        }

        public override async Task StopAsync()
        {
            _stopRequested = true;
            if (_processes.Length == 0)
            {
                return;
            }
            await orchestrator.PublishAsync(project, s => s with { State = KnownResourceStates.Stopping });
            await Task.WhenAll(_processes.Select(p => p.StopAsync()));
            _processes = []; // their exit watchers must not mistake a later restart's state for their own
            await orchestrator.PublishAsync(project, s => s with { State = KnownResourceStates.Exited, HealthStatus = null });
        }

        private async Task WatchAsync(ManagedProcess process, string name)
        {
            var exitCode = await process.Exited;
            if (_stopRequested || !_processes.Contains(process))
            {
                return;
            }
            // No restart loop: report it and leave the other replicas alone.
            await orchestrator.PublishAsync(project, s => s with { State = KnownResourceStates.Exited, ExitCode = exitCode, HealthStatus = HealthStatus.Unhealthy });
            orchestrator.ReportUnexpectedExit(name, exitCode);
        }

        private static async Task<bool> IsHealthyAsync(Uri url, int statusCode, CancellationToken cancellationToken)
        {
            try
            {
                using var response = await s_http.GetAsync(url, cancellationToken);
                return (int)response.StatusCode == statusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }
    }

    private sealed class LocalServiceRunner(LocalService service, bool existing, Orchestrator orchestrator) : Runner(service.Resource)
    {
        private ManagedProcess? _process;
        private string? _dataDirectory;
        private volatile bool _stopRequested;

        public override bool IsRunning => existing ? !_stopRequested : _process is { HasExited: false };

        public override async Task StartAsync(CancellationToken cancellationToken)
        {
            _stopRequested = false;
            await orchestrator.PublishAsync(Resource, s => s with { State = KnownResourceStates.Starting, ExitCode = null, HealthStatus = null });
            if (existing)
            {
                orchestrator.Logger.LogInformation("Resource {Resource} uses the existing server from the AppHost's connection strings.", Resource.Name);
                await orchestrator.PublishAsync(Resource, s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Unhealthy, Urls = [] });
                await orchestrator.WaitUntilHealthyAsync(service.IsHealthyAsync, () => _stopRequested, cancellationToken);
            }
            else
            {
                var spec = await service.PrepareAsync(PrepareDataDirectory(), cancellationToken);
                var process = _process = ManagedProcess.Start(spec, Resource.Name, orchestrator.Console);
                _ = WatchAsync(process);
                await orchestrator.PublishAsync(Resource, s => s with { State = KnownResourceStates.Running, HealthStatus = HealthStatus.Unhealthy });
                await orchestrator.WaitUntilHealthyAsync(service.IsHealthyAsync, () => process.HasExited, cancellationToken);
                if (process.HasExited)
                {
                    return;
                }
            }
            if (!_stopRequested)
            {
                await service.OnHealthyAsync(cancellationToken);
                await orchestrator.PublishAsync(Resource, s => s with { HealthStatus = HealthStatus.Healthy });
            }
        }

        public override async Task StopAsync()
        {
            _stopRequested = true;
            if (_process is { } process)
            {
                await orchestrator.PublishAsync(Resource, s => s with { State = KnownResourceStates.Stopping });
                await process.StopAsync();
                await service.OnStoppedAsync(CancellationToken.None);
            }
            if (_process is not null || existing)
            {
                _process = null; // its exit watcher must not mistake a later restart's state for its own
                await orchestrator.PublishAsync(Resource, s => s with { State = KnownResourceStates.Exited, HealthStatus = null });
            }
        }

        // A data volume keeps data across runs; without one, data lasts one AppHost run, like a container's own layer.
        private string PrepareDataDirectory()
        {
            if (_dataDirectory is not null)
            {
                return _dataDirectory;
            }
            var directory = Path.Combine(orchestrator.DataPath, Resource.Name);
            if (!Resource.Annotations.OfType<ContainerMountAnnotation>().Any(m => m.Type == ContainerMountType.Volume) && Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
            Directory.CreateDirectory(directory);
            return _dataDirectory = directory;
        }

        private async Task WatchAsync(ManagedProcess process)
        {
            var exitCode = await process.Exited;
            // A process stopped on purpose, or replaced by a restart since, is not news (the flag alone races with a restart).
            if (_stopRequested || !ReferenceEquals(process, _process))
            {
                return;
            }
            await orchestrator.PublishAsync(Resource, s => s with { State = KnownResourceStates.Exited, ExitCode = exitCode, HealthStatus = HealthStatus.Unhealthy });
            orchestrator.ReportUnexpectedExit(Resource.Name, exitCode);
        }
    }
}

/// <summary>What Aspire puts into a project's environment in run mode (aspire-conventions.md §1 and §7).</summary>
internal static class ProjectEnvironment
{
    public static string ReplicaName(ProjectResource project, int replica) =>
        project.GetReplicaCount() == 1 ? project.Name : $"{project.Name}-{replica.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<Dictionary<string, string>> BuildAsync(ProjectResource project, int replica, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (project.Annotations.OfType<LaunchProfileAnnotation>().LastOrDefault() is { } profile)
        {
            foreach (var (name, value) in profile.EnvironmentVariables)
            {
                environment[name] = value;
            }
            environment["DOTNET_LAUNCH_PROFILE"] = profile.Name;
        }
        environment.TryAdd("ASPNETCORE_ENVIRONMENT", "Development");
        environment.TryAdd("DOTNET_ENVIRONMENT", environment["ASPNETCORE_ENVIRONMENT"]);

        var endpoints = project.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme is "http" or "https").ToList();
        environment["ASPNETCORE_URLS"] = string.Join(';', endpoints.Select(e => e.AllocatedEndpoints[replica].UriString));
        if (endpoints.FirstOrDefault(e => e.UriScheme == "https") is { } https)
        {
            environment["ASPNETCORE_HTTPS_PORT"] = https.AllocatedEndpoints[replica].Port.ToString(CultureInfo.InvariantCulture);
        }
        // eShop forces this in run mode too, so proxies in front of a service behave the same as in production.
        environment["ASPNETCORE_FORWARDEDHEADERS_ENABLED"] = "true";
        environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true";
        environment["LOGGING__CONSOLE__FORMATTERNAME"] = "simple";

        environment["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory";
        environment["OTEL_SERVICE_NAME"] = project.Name;
        environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={ReplicaName(project, replica)}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8]}";
        AddOtlpExporter(environment, configuration);

        foreach (var reference in project.Annotations.OfType<ResourceReferenceAnnotation>())
        {
            if (reference.Resource is IResourceWithConnectionString connectionString)
            {
                environment[$"ConnectionStrings__{reference.ConnectionName ?? connectionString.Name}"] =
                    await connectionString.GetConnectionStringAsync(cancellationToken) ?? "";
            }
            if (reference.Resource is IResourceWithServiceDiscovery service)
            {
                AddServiceEndpoints(environment, service);
            }
        }
        foreach (var variable in project.Annotations.OfType<EnvironmentAnnotation>())
        {
            environment[variable.Name] = variable.Value switch
            {
                string value => value,
                IValueProvider provider => await provider.GetValueAsync(cancellationToken) ?? "",
                var other => throw new DistributedApplicationException($"Unsupported value of type {other.GetType().Name} for environment variable '{variable.Name}' of '{project.Name}'."),
            };
        }
        return environment;
    }

    // services__feed__http__0..n: one entry per replica and endpoint, since without a proxy each replica has its own port.
    private static void AddServiceEndpoints(Dictionary<string, string> environment, IResourceWithServiceDiscovery service)
    {
        var endpoints = service.Annotations.OfType<EndpointAnnotation>().ToList();
        foreach (var scheme in endpoints.GroupBy(e => e.UriScheme))
        {
            var index = 0;
            foreach (var allocated in scheme.SelectMany(e => e.AllocatedEndpoints))
            {
                environment[$"services__{service.Name}__{scheme.Key}__{index++}"] = allocated.UriString;
            }
        }
        // Aspire 13's polyglot form: FEED_HTTP=<url>.
        foreach (var endpoint in endpoints)
        {
            environment[$"{EnvironmentName(service.Name)}_{EnvironmentName(endpoint.Name)}"] = endpoint.AllocatedEndpoints[0].UriString;
        }
    }

    // Only when the AppHost was given a collector: ServiceDefaults switches its OTLP exporter on by the endpoint's presence.
    private static void AddOtlpExporter(Dictionary<string, string> environment, IConfiguration configuration)
    {
        var (endpoint, protocol) =
            configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 } otel ? (otel, configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] ?? "grpc")
            : configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] is { Length: > 0 } grpc ? (grpc, "grpc")
            : configuration["ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL"] is { Length: > 0 } http ? (http, "http/protobuf")
            : (null, null);
        if (endpoint is null)
        {
            return;
        }
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol!;
        if (configuration["AppHost:OtlpApiKey"] is { Length: > 0 } apiKey)
        {
            environment["OTEL_EXPORTER_OTLP_HEADERS"] = $"x-otlp-api-key={apiKey}";
        }
        // Development tuning, so a dashboard updates quickly.
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
        environment["OTEL_TRACES_SAMPLER"] = "always_on";
        environment["OTEL_METRICS_EXEMPLAR_FILTER"] = "trace_based";
    }

    private static string EnvironmentName(string name)
    {
        var result = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            result.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }
        return result.ToString();
    }
}
