using System.Reflection;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace Aspire.Hosting.Testing;

public interface IDistributedApplicationTestingBuilder : IAsyncDisposable
{
    ConfigurationManager Configuration { get; }
    string AppHostDirectory { get; }
    IResourceCollection Resources { get; }
    IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource;
    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Aspire's testing entry point: runs the AppHost's own Program.cs in-process up to <c>Build()</c>, then hands the builder to
/// the test. Defaults for tests: a fresh temporary data folder (deleted on dispose) and randomized ports.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    public static Task<IDistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(CancellationToken cancellationToken = default) where TEntryPoint : class =>
        CreateAsync<TEntryPoint>([], cancellationToken);

    public static async Task<IDistributedApplicationTestingBuilder> CreateAsync<TEntryPoint>(string[] args, CancellationToken cancellationToken = default) where TEntryPoint : class
    {
        var assembly = typeof(TEntryPoint).Assembly;
        var entryPoint = assembly.EntryPoint ?? throw new InvalidOperationException($"Assembly '{assembly.GetName().Name}' has no entry point.");
        var hook = new CaptureHook(assembly);
        DistributedApplicationBuilder.Hook.Value = hook;
        try
        {
            var result = entryPoint.Invoke(null, entryPoint.GetParameters().Length == 0 ? [] : [args]);
            if (result is Task task)
            {
                await task.WaitAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (Unwrap(ex) is StopTheHostException)
        {
            // Expected: Build() was reached and the entry point stopped there.
        }
        finally
        {
            DistributedApplicationBuilder.Hook.Value = null;
        }
        return hook.Builder is { } builder
            ? new TestingBuilder(builder, hook.DataPath)
            : throw new InvalidOperationException($"The entry point of '{assembly.GetName().Name}' returned without calling Build() on a DistributedApplication builder.");
    }

    private static Exception Unwrap(Exception ex) => ex is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : ex;

    private sealed class StopTheHostException : Exception;

    private sealed class CaptureHook(Assembly appHostAssembly) : IBuilderHook
    {
        public Assembly AppHostAssembly => appHostAssembly;

        public DistributedApplicationBuilder? Builder { get; private set; }
        public string DataPath { get; } = Directory.CreateTempSubdirectory("douyin-apphost-test-").FullName;

        public void OnCreated(DistributedApplicationBuilder builder) =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AppHost:DataPath"] = DataPath,
                ["DcpPublisher:RandomizePorts"] = "true",
            });

        public void OnBuilding(DistributedApplicationBuilder builder)
        {
            Builder = builder;
            throw new StopTheHostException();
        }
    }

    private sealed class TestingBuilder(DistributedApplicationBuilder builder, string dataPath) : IDistributedApplicationTestingBuilder
    {
        public ConfigurationManager Configuration => builder.Configuration;
        public string AppHostDirectory => builder.AppHostDirectory;
        public IResourceCollection Resources => builder.Resources;
        public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => builder.CreateResourceBuilder(resource);

        public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default)
        {
            var app = builder.BuildCore();
            app.OnDisposed(DisposeAsync);
            return Task.FromResult(app);
        }

        public ValueTask DisposeAsync()
        {
            if (Directory.Exists(dataPath))
            {
                Directory.Delete(dataPath, recursive: true);
            }
            return ValueTask.CompletedTask;
        }
    }
}

public static class DistributedApplicationHostingTestingExtensions
{
    /// <summary>An HttpClient whose base address is the resource's endpoint (its first http endpoint by default).</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication app, string resourceName, string? endpointName = null) =>
        new() { BaseAddress = app.GetEndpoint(resourceName, endpointName) };

    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, string? endpointName = null) =>
        app.GetEndpoint(resourceName, replica: 0, endpointName);

    /// <summary>The endpoint of one replica: without Aspire's proxy each replica listens on a port of its own.</summary>
    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, int replica, string? endpointName = null)
    {
        var resource = GetResource(app, resourceName);
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>().ToList();
        var endpoint = (endpointName is null
            ? endpoints.FirstOrDefault(e => e.UriScheme is "http" or "https")
            : endpoints.FirstOrDefault(e => e.Name == endpointName))
            ?? throw new ArgumentException($"Resource '{resourceName}' has no endpoint named '{endpointName ?? "http"}'.", nameof(endpointName));
        return new Uri(endpoint.AllocatedEndpoints.ElementAtOrDefault(replica)?.UriString
            ?? throw new InvalidOperationException($"Replica {replica} of '{resourceName}' has no allocated endpoint; start the application first."));
    }

    public static ValueTask<string?> GetConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default) =>
        GetResource(app, resourceName) is IResourceWithConnectionString resource
            ? resource.GetConnectionStringAsync(cancellationToken)
            : throw new ArgumentException($"Resource '{resourceName}' does not have a connection string.", nameof(resourceName));

    private static IResource GetResource(DistributedApplication app, string resourceName) =>
        ((DistributedApplicationModel)app.Services.GetService(typeof(DistributedApplicationModel))!).Resources
            .FirstOrDefault(r => string.Equals(r.Name, resourceName, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Resource '{resourceName}' not found.", nameof(resourceName));
}
