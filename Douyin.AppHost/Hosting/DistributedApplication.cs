using System.Collections.Immutable;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

public sealed class DistributedApplication(IHost host) : IHost, IAsyncDisposable
{
    private readonly List<Func<ValueTask>> _onDisposed = [];

    public static IDistributedApplicationBuilder CreateBuilder(string[] args) => new DistributedApplicationBuilder(new DistributedApplicationOptions { Args = args });

    public static IDistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new DistributedApplicationBuilder(options);

    public IServiceProvider Services => host.Services;
    public ResourceNotificationService ResourceNotifications => Services.GetRequiredService<ResourceNotificationService>();
    public ResourceCommandService ResourceCommands => Services.GetRequiredService<ResourceCommandService>();

    private bool IsPublishMode => Services.GetRequiredService<DistributedApplicationExecutionContext>().IsPublishMode;

    /// <summary>Run mode starts the resources; publish mode writes the deployment description and starts nothing.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) =>
        IsPublishMode ? Services.GetRequiredService<Publishing.Publisher>().PublishAsync(cancellationToken) : host.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => host.StopAsync(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        await StartAsync(cancellationToken);
        if (!IsPublishMode)
        {
            await host.WaitForShutdownAsync(cancellationToken);
        }
    }

    public void Run() => RunAsync().GetAwaiter().GetResult();

    /// <summary>The environment a resource's process (replica <paramref name="replica"/>) receives in run mode, without starting anything.</summary>
    internal Task<IReadOnlyDictionary<string, string>> GetRunModeEnvironmentAsync(string resourceName, int replica = 0, CancellationToken cancellationToken = default) =>
        Services.GetRequiredService<Orchestrator>().GetEnvironmentAsync(resourceName, replica, cancellationToken);

    internal void OnDisposed(Func<ValueTask> callback) => _onDisposed.Add(callback);

    public async ValueTask DisposeAsync()
    {
        // The host stops hosted services (the orchestrator) only on StopAsync; disposing alone would orphan processes.
        await host.StopAsync();
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
        foreach (var callback in _onDisposed)
        {
            await callback();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}

public static class KnownResourceStates
{
    public const string NotStarted = "NotStarted";
    public const string Waiting = "Waiting";
    public const string Starting = "Starting";
    public const string Running = "Running";
    public const string Stopping = "Stopping";
    public const string Exited = "Exited";
    public const string Finished = "Finished";
    public const string FailedToStart = "FailedToStart";

    internal static bool IsTerminal(string? state) => state is Exited or Finished or FailedToStart;
}

public static class KnownResourceCommands
{
    public const string StartCommand = "resource-start";
    public const string StopCommand = "resource-stop";
    public const string RestartCommand = "resource-restart";
}

public sealed record UrlSnapshot(string Name, string Url, bool IsInternal);

public sealed record CustomResourceSnapshot
{
    public required string ResourceType { get; init; }
    public string? State { get; init; }
    public int? ExitCode { get; init; }
    public HealthStatus? HealthStatus { get; init; }
    public ImmutableArray<UrlSnapshot> Urls { get; init; } = [];
}

public sealed record ResourceEvent(IResource Resource, string ResourceId, CustomResourceSnapshot Snapshot);

/// <summary>Current state of every resource, and waiting for a state (Aspire's <c>app.ResourceNotifications</c>).</summary>
public sealed class ResourceNotificationService
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ResourceEvent> _states = new(StringComparer.OrdinalIgnoreCase);
    private TaskCompletionSource _changed = NewSignal();

    public bool TryGetCurrentState(string resourceName, out ResourceEvent? resourceEvent)
    {
        lock (_lock)
        {
            return _states.TryGetValue(resourceName, out resourceEvent);
        }
    }

    public Task PublishUpdateAsync(IResource resource, Func<CustomResourceSnapshot, CustomResourceSnapshot> stateFactory)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            var previous = _states.TryGetValue(resource.Name, out var current)
                ? current.Snapshot
                : new CustomResourceSnapshot { ResourceType = resource.GetType().Name.Replace("Resource", "", StringComparison.Ordinal), State = KnownResourceStates.NotStarted };
            _states[resource.Name] = new ResourceEvent(resource, resource.Name, stateFactory(previous));
            (changed, _changed) = (_changed, NewSignal());
        }
        changed.TrySetResult();
        return Task.CompletedTask;
    }

    public async Task<ResourceEvent> WaitForResourceAsync(string resourceName, Func<ResourceEvent, bool> predicate, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_states.TryGetValue(resourceName, out var current) && predicate(current))
                {
                    return current;
                }
                changed = _changed.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    public async Task<string> WaitForResourceAsync(string resourceName, string? targetState = null, CancellationToken cancellationToken = default)
    {
        targetState ??= KnownResourceStates.Running;
        var reached = await WaitForResourceAsync(resourceName, e => string.Equals(e.Snapshot.State, targetState, StringComparison.OrdinalIgnoreCase), cancellationToken);
        return reached.Snapshot.State!;
    }

    /// <summary>Waits until the resource is healthy; fails if it reaches a terminal state first (Aspire's default wait behaviour).</summary>
    public async Task<ResourceEvent> WaitForResourceHealthyAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        var reached = await WaitForResourceAsync(resourceName,
            e => e.Snapshot.HealthStatus == HealthStatus.Healthy || KnownResourceStates.IsTerminal(e.Snapshot.State), cancellationToken);
        return reached.Snapshot.HealthStatus == HealthStatus.Healthy
            ? reached
            : throw new DistributedApplicationException($"Stopped waiting for resource '{resourceName}' to become healthy because it entered state '{reached.Snapshot.State}'.");
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed record ExecuteCommandResult(bool Success, string? ErrorMessage = null);

/// <summary>Runs the resource commands Aspire's dashboard offers (<see cref="KnownResourceCommands"/>).</summary>
public sealed class ResourceCommandService(IServiceProvider services)
{
    public Task<ExecuteCommandResult> ExecuteCommandAsync(string resourceId, string commandName, CancellationToken cancellationToken = default) =>
        services.GetRequiredService<Orchestrator>().ExecuteCommandAsync(resourceId, commandName, cancellationToken);
}
