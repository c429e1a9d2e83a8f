using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Douyin.AppHost.LocalServers;

/// <summary>
/// A backing server that the orchestrator (dcp) runs as a local process in place of its container: an executable with a
/// connection string, one TCP or HTTP endpoint on a port of its own (no proxy, so a client's connection reaches the server
/// and a restart keeps the port), a health check, and data under <c>AppHost:DataPath</c> (<c>.douyin/</c>) across runs.
/// </summary>
public abstract class LocalServerResource(string name, string command, string dataDirectory)
    : ExecutableResource(name, command, dataDirectory), IResourceWithConnectionString
{
    public virtual string PrimaryEndpointName => "tcp";

    public string DataDirectory => WorkingDirectory;

    public EndpointReference PrimaryEndpoint => new(this, PrimaryEndpointName);

    public abstract ReferenceExpression ConnectionStringExpression { get; }
}

public static class LocalServerExtensions
{
    /// <summary>
    /// Standard containers (Aspire.Hosting.PostgreSQL, .Redis, .RabbitMQ) instead of local processes: always when publishing
    /// (azd provisions them), and in run mode with <c>Douyin:Containers=true</c> on a machine with Docker or Podman.
    /// </summary>
    public static bool UsesContainers(this IDistributedApplicationBuilder builder) =>
        builder.ExecutionContext.IsPublishMode || builder.Configuration.GetValue<bool>("Douyin:Containers");

    /// <summary>True when <c>ConnectionStrings:{name}</c> names an existing server, which then replaces the local one.</summary>
    public static bool HasConnectionString(this IDistributedApplicationBuilder builder, string name) =>
        !string.IsNullOrEmpty(builder.Configuration.GetConnectionString(name));

    /// <summary>Adds the server with its endpoint on a free port, its data directory and a health check that <paramref name="isHealthy"/> answers.</summary>
    internal static IResourceBuilder<T> AddLocalServer<T>(this IDistributedApplicationBuilder builder, T server, string scheme,
        Func<T, CancellationToken, Task<bool>> isHealthy) where T : LocalServerResource
    {
        Directory.CreateDirectory(server.DataDirectory);
        var port = FreePort();
        var healthCheck = $"{server.Name}_check";
        builder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
            await isHealthy(server, cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy());
        return builder.AddResource(server)
            .WithEndpoint(port: port, targetPort: port, scheme: scheme, name: server.PrimaryEndpointName, isProxied: false)
            .WithHealthCheck(healthCheck)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// Adds a resource that lives on the server (a database, a blob service). Aspire mirrors a container's state on such
    /// children, not an executable's: the server does it here, so that WaitFor(child) waits for the server.
    /// </summary>
    internal static IResourceBuilder<TChild> AddChild<TChild>(this IDistributedApplicationBuilder builder, LocalServerResource server, TChild child)
        where TChild : IResourceWithParent
    {
        Task Mirror(IServiceProvider services, string state) =>
            services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(child, s => s with { State = state });
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server, (@event, _) => Mirror(@event.Services, KnownResourceStates.Starting));
        builder.Eventing.Subscribe<ResourceReadyEvent>(server, (@event, _) => Mirror(@event.Services, KnownResourceStates.Running));
        builder.Eventing.Subscribe<ResourceStoppedEvent>(server, (@event, _) => Mirror(@event.Services, KnownResourceStates.Exited));
        return builder.AddResource(child);
    }

    /// <summary>Where local servers keep their data: <c>AppHost:DataPath</c>, else <c>.douyin/</c> in the repository.</summary>
    internal static string DataDirectory(this IDistributedApplicationBuilder builder, string name) =>
        Path.GetFullPath(Path.Combine(builder.Configuration["AppHost:DataPath"] is { Length: > 0 } path ? path : Path.Combine(builder.AppHostDirectory, "..", ".douyin"), name));

    /// <summary>A tool the repository installs with npm (<c>node_modules/.bin</c>), found from the AppHost's directory upwards (a test's too).</summary>
    internal static string NodeTool(this IDistributedApplicationBuilder builder, string tool)
    {
        for (var directory = new DirectoryInfo(builder.AppHostDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, "node_modules", ".bin", tool);
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new DistributedApplicationException($"{tool} is not installed: no node_modules/.bin/{tool} above {builder.AppHostDirectory}. Run ./eng/setup.sh (npm ci).");
    }

    /// <summary>
    /// The server's password: <c>Parameters:{server}-password</c> if configured, else one generated once and kept next to the
    /// data it protects (<c>.douyin/{server}/password</c>), so that a data folder always opens with its own password.
    /// </summary>
    internal static IResourceBuilder<ParameterResource> AddPassword(this IDistributedApplicationBuilder builder, string serverName)
    {
        var name = $"{serverName}-password";
        var file = Path.Combine(builder.DataDirectory(serverName), "password");
        return builder.AddParameter(name, () =>
        {
            if (builder.Configuration[$"Parameters:{name}"] is { Length: > 0 } configured)
            {
                return configured;
            }
            lock (s_given)
            {
                if (!File.Exists(file))
                {
                    File.WriteAllText(file, new GenerateParameterDefault { MinLength = 22, Special = false }.GetDefaultValue());
                    if (!OperatingSystem.IsWindows())
                    {
                        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                    }
                }
                return File.ReadAllText(file);
            }
        }, secret: true);
    }

    internal static string? FindOnPath(string fileName) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, fileName))
            .FirstOrDefault(File.Exists);

    internal static string RequireOnPath(string fileName, string package) =>
        FindOnPath(fileName) ?? throw new DistributedApplicationException($"{fileName} is not on PATH: install {package} (./eng/setup.sh does).");

    /// <summary>Runs a short command (initdb, chown) to completion and fails with its output if it fails.</summary>
    internal static async Task RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, bool throwOnError = true)
    {
        var startInfo = new System.Diagnostics.ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = System.Diagnostics.Process.Start(startInfo)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (throwOnError && process.ExitCode != 0)
        {
            throw new DistributedApplicationException($"'{fileName} {string.Join(' ', startInfo.ArgumentList)}' failed with exit code {process.ExitCode}: {await error}{await output}");
        }
    }

    private static readonly HashSet<int> s_given = [];

    // A port chosen now and bound later by the server, so: below the ephemeral range (32768 and up on Linux), where dcp's
    // proxies and every client's outgoing connections take theirs, and never the same twice in one process (tests start
    // several apps side by side).
    internal static int FreePort()
    {
        lock (s_given)
        {
            while (true)
            {
                var port = Random.Shared.Next(10000, 32000);
                if (s_given.Contains(port))
                {
                    continue;
                }
                try
                {
                    using var listener = new TcpListener(IPAddress.Loopback, port);
                    listener.Start();
                }
                catch (SocketException)
                {
                    continue; // taken
                }
                s_given.Add(port);
                return port;
            }
        }
    }
}
