using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Douyin.AppHost.LocalServers;

namespace Douyin.Tests.Shared;

/// <summary>
/// One backing server (PostgreSQL, Redis, RabbitMQ or Azurite) for tests of a building block, run by Aspire's orchestrator
/// through the AppHost's own resources (Douyin.AppHost/LocalServers): the same code that runs it for
/// <c>dotnet run --project Douyin.AppHost</c>, so there is one way to start a local server. A fresh data folder and free
/// ports; Stop/Start keep both, like a restart of the real thing.
/// </summary>
public sealed class LocalServer : IAsyncDisposable
{
    readonly DistributedApplication _app;
    readonly string _dataPath;
    readonly IResource _server;

    LocalServer(DistributedApplication app, string dataPath, IResource server, string connectionString)
    {
        _app = app;
        _dataPath = dataPath;
        _server = server;
        ConnectionString = connectionString;
    }

    /// <summary>The connection string in the exact form an Aspire AppHost injects.</summary>
    public string ConnectionString { get; }

    /// <summary>
    /// Starts the server that <paramref name="add"/> declares; the connection string is that of the resource it returns
    /// (a database or a blob service rather than the server itself, when it adds one).
    /// </summary>
    public static async Task<LocalServer> StartAsync<TResource>(
        Func<IDistributedApplicationBuilder, IResourceBuilder<TResource>> add, CancellationToken cancellationToken = default)
        where TResource : IResourceWithConnectionString
    {
        var dataPath = Directory.CreateTempSubdirectory("douyin-test-server-").FullName;
        var builder = CreateBuilder($"--AppHost:DataPath={dataPath}");
        var target = add(builder).Resource;
        var app = builder.Build();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(2));
            await app.StartAsync(timeout.Token);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(target.Name, timeout.Token);
            var connectionString = await app.GetConnectionStringAsync(target.Name, timeout.Token)
                ?? throw new InvalidOperationException($"{target.Name} has no connection string.");
            // A database or blob service lives on a server: that is what Stop and Start act on.
            var server = target is IResourceWithParent child ? child.Parent : target;
            return new LocalServer(app, dataPath, server, connectionString);
        }
        catch
        {
            await app.DisposeAsync();
            Directory.Delete(dataPath, recursive: true);
            throw;
        }
    }

    /// <summary>Stops the server process (its port and data stay reserved for <see cref="StartAsync()"/>).</summary>
    public Task StopAsync() => _app.ResourceCommands.ExecuteCommandAsync(_server, KnownResourceCommands.StopCommand);

    /// <summary>Starts the server again on the same port with the same data, and waits until it is healthy.</summary>
    public async Task StartAsync()
    {
        await _app.ResourceCommands.ExecuteCommandAsync(_server, KnownResourceCommands.StartCommand);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(_server.Name, timeout.Token);
    }

    /// <summary>
    /// An app model of the test's own under Aspire's orchestrator, as the testing builder makes one (no dashboard, random
    /// ports). Not DistributedApplicationTestingBuilder.Create: that looks for the AppHost assembly on the call stack.
    /// </summary>
    public static IDistributedApplicationBuilder CreateBuilder(params string[] args) =>
        DistributedApplication.CreateBuilder(new DistributedApplicationOptions
        {
            Args = ["--DcpPublisher:RandomizePorts=true", .. args],
            AssemblyName = typeof(Projects.Douyin_AppHost).Assembly.GetName().Name,
            DisableDashboard = true,
        });

    /// <summary>A port that nothing listens on right now: a dead endpoint for failure tests.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        if (Directory.Exists(_dataPath))
        {
            Directory.Delete(_dataPath, recursive: true);
        }
    }
}
