using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>The app's resources by name, as the dashboard acts on them: every replica of a service at once.</summary>
public static class Resources
{
    public static IResource Resource(this DistributedApplication app, string name) =>
        app.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(r => r.Name == name);

    /// <summary>Runs a resource command (<see cref="KnownResourceCommands"/>) on the resource, on each of its replicas if it has several.</summary>
    public static Task<ExecuteCommandResult> ExecuteCommandAsync(this DistributedApplication app, string resource, string command, CancellationToken cancellationToken = default) =>
        app.ResourceCommands.ExecuteCommandAsync(app.Resource(resource), command, cancellationToken);

    /// <summary>Runs a resource command as <see cref="ExecuteCommandAsync"/> does and fails the test with the command's own message if it fails.</summary>
    public static async Task RunCommandAsync(this DistributedApplication app, string resource, string command, CancellationToken cancellationToken = default)
    {
        var result = await app.ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.True(result.Success, $"{command} {resource}: {result.Message}");
    }

    /// <summary>
    /// Restarts one resource as the dashboard's Restart button does (stop, then start) and waits until its new process
    /// is healthy: a rollout's step for one replica.
    /// </summary>
    public static async Task<ResourceEvent> RestartAsync(this DistributedApplication app, string resource, CancellationToken cancellationToken)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState(resource, out var before));
        await app.RunCommandAsync(resource, KnownResourceCommands.RestartCommand, cancellationToken);
        return await app.ResourceNotifications.WaitForResourceAsync(resource,
            e => Pid(e.Snapshot) is { } pid && !Equals(pid, Pid(before!.Snapshot)) && e.Snapshot.HealthStatus == HealthStatus.Healthy, cancellationToken);
    }

    /// <summary>The process the orchestrator runs for a resource, as the dashboard's details show it.</summary>
    public static object? Pid(CustomResourceSnapshot snapshot) => snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value;

    /// <summary>
    /// The resources that run a service: replica 0 is the resource of that name, replica i the AppHost's "{service}-{i}"
    /// (Douyin.AppHost/ProjectEndpoints.cs: each replica is a resource of its own in run mode).
    /// </summary>
    public static IReadOnlyList<string> ReplicaNames(this DistributedApplication app, string service) =>
    [
        service,
        .. app.Services.GetRequiredService<DistributedApplicationModel>().Resources
            .Select(r => (r.Name, Index: r.Name.StartsWith($"{service}-", StringComparison.Ordinal) && int.TryParse(r.Name[(service.Length + 1)..], out var i) ? i : 0))
            .Where(r => r.Index > 0).OrderBy(r => r.Index).Select(r => r.Name),
    ];

    /// <summary>
    /// The address each replica of a project listens on (its ASPNETCORE_URLS): what a test needs to reach one replica.
    /// Waits until every replica runs.
    /// </summary>
    public static Task<IReadOnlyList<Uri>> ReplicaAddressesAsync(this DistributedApplication app, string resource, CancellationToken cancellationToken) =>
        app.RunningAddressesAsync(app.ReplicaNames(resource), cancellationToken);

    /// <summary>
    /// The address of one replica, once it runs. Waits for that replica only: a test that stopped another one would
    /// otherwise wait for it for ever (once the orchestrator saw it exit).
    /// </summary>
    public static async Task<Uri> ReplicaAddressAsync(this DistributedApplication app, string resource, int replica, CancellationToken cancellationToken) =>
        (await app.RunningAddressesAsync([app.ReplicaNames(resource)[replica]], cancellationToken))[0];

    static async Task<IReadOnlyList<Uri>> RunningAddressesAsync(this DistributedApplication app, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var addresses = new Dictionary<string, Uri>(StringComparer.Ordinal);
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (names.Contains(update.Resource.Name) && update.Snapshot.State?.Text == KnownResourceStates.Running
                && update.Snapshot.EnvironmentVariables.FirstOrDefault(v => v.Name == "ASPNETCORE_URLS")?.Value is { Length: > 0 } urls)
            {
                addresses[update.Resource.Name] = new Uri(urls.Split(';')[0]);
            }
            if (addresses.Count == names.Count)
            {
                return [.. names.Select(n => addresses[n])];
            }
        }
        throw new OperationCanceledException(cancellationToken);
    }

    /// <summary>
    /// What a resource writes from now on (its console, as the dashboard shows it), for a failing assertion to quote:
    /// the orchestrator streams a process's output only to a watcher, so it is watched from the start.
    /// </summary>
    public static ResourceLogTail TailLogs(this DistributedApplication app, string resource) =>
        new(app.Services.GetRequiredService<ResourceLoggerService>(), resource);
}

public sealed class ResourceLogTail : IDisposable
{
    readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();
    readonly CancellationTokenSource _stop = new();
    readonly string _resource;

    internal ResourceLogTail(ResourceLoggerService logs, string resource)
    {
        _resource = resource;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in logs.WatchAsync(resource).WithCancellation(_stop.Token))
                {
                    foreach (var line in batch)
                    {
                        _lines.Enqueue(line.Content);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public string Last(int lines = 40) => $"{_resource}'s last lines:\n{string.Join('\n', _lines.TakeLast(lines))}";

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
