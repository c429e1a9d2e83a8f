using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting.Publishing;

/// <summary>
/// Publish mode (<c>--publisher manifest|kubernetes --output-path &lt;path&gt;</c>): writes the app model as a deployment
/// description and starts nothing. Both writers take the model's expressions from here, so they describe one app.
/// </summary>
internal sealed class Publisher(DistributedApplicationModel model, IDistributedApplicationBuilder builder, ILogger<Publisher> logger)
{
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        // ConnectionStrings:* at publish time name managed services, exactly as they name existing servers in run mode.
        LocalService.UseExistingServers(model, builder);
        var publisher = builder.Configuration["Publishing:Publisher"] ?? "manifest";
        var outputPath = builder.Configuration["Publishing:OutputPath"] is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : throw new DistributedApplicationException("Publishing needs --output-path <file or directory>.");
        var written = publisher switch
        {
            "manifest" => await ManifestWriter.WriteAsync(this, outputPath, cancellationToken),
            "kubernetes" => await KubernetesWriter.WriteAsync(this, outputPath, cancellationToken),
            _ => throw new DistributedApplicationException($"Unknown publisher '{publisher}': use manifest or kubernetes."),
        };
        logger.LogInformation("Wrote the {Publisher} description to {Path}", publisher, written);
    }

    public IResourceCollection Resources => model.Resources;
    public IConfiguration Configuration => builder.Configuration;
    public string AppHostDirectory => builder.AppHostDirectory;

    /// <summary>The connection-string parameter that replaces a resource whose connection string the deployer supplies (a managed service, or blobs).</summary>
    public static ConnectionStringParameterResource? SuppliedConnectionString(IResource resource) =>
        resource.TryGetLastAnnotation<ConnectionStringRedirectAnnotation>(out var redirect) ? redirect.Resource as ConnectionStringParameterResource : null;

    /// <summary>
    /// A project's environment in Aspire's publish-mode order (aspire-manifest.md §4.1): OTLP retry, forwarded headers,
    /// HTTP_PORTS, references, then WithEnvironment. Values are strings or expression providers.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, object>> ProjectEnvironment(ProjectResource project)
    {
        yield return new("OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY", "in_memory");
        if (project.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme == "http") is { } http)
        {
            yield return new("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true");
            yield return new("HTTP_PORTS", new EndpointReference(project, http.Name).Property(EndpointProperty.TargetPort));
        }
        foreach (var reference in project.Annotations.OfType<ResourceReferenceAnnotation>())
        {
            if (reference.Resource is IResourceWithConnectionString connectionString)
            {
                yield return new($"ConnectionStrings__{reference.ConnectionName ?? connectionString.Name}", connectionString);
            }
            if (reference.Resource is IResourceWithServiceDiscovery service)
            {
                var endpoints = service.Annotations.OfType<EndpointAnnotation>().ToList();
                foreach (var scheme in endpoints.GroupBy(e => e.UriScheme))
                {
                    foreach (var (endpoint, index) in scheme.Select((e, i) => (e, i)))
                    {
                        yield return new($"services__{service.Name}__{scheme.Key}__{index}", new EndpointReference(service, endpoint.Name));
                    }
                }
            }
        }
        foreach (var variable in project.Annotations.OfType<EnvironmentAnnotation>())
        {
            yield return new(variable.Name, variable.Value);
        }
        // The model probes /health, and ServiceDefaults maps it outside Development only when asked.
        if (project.Annotations.OfType<HttpHealthCheckAnnotation>().Any())
        {
            yield return new("HealthChecks__Expose", "true");
        }
    }

    /// <summary>The image a project builds to with <c>dotnet publish -t:PublishContainer</c>: its ContainerRepository (douyin-feed for Douyin.Feed).</summary>
    public string ProjectImage(ProjectResource project)
    {
        var repository = Path.GetFileNameWithoutExtension(project.Metadata.ProjectPath).ToLowerInvariant().Replace('.', '-');
        var registry = Configuration["Publishing:Registry"] is { Length: > 0 } configured ? configured : BuildProperty("containerregistry");
        var tag = Configuration["Publishing:Tag"] is { Length: > 0 } configuredTag ? configuredTag : BuildProperty("containerimagetag");
        return $"{(string.IsNullOrEmpty(registry) ? "" : registry.TrimEnd('/') + "/")}{repository}:{tag}";
    }

    public static string ContainerImage(ContainerResource container) =>
        container.TryGetLastAnnotation<ContainerImageAnnotation>(out var image)
            ? $"{(image.Registry is { } registry ? registry + "/" : "")}{image.Image}:{image.Tag ?? "latest"}"
            : throw new DistributedApplicationException($"The container '{container.Name}' has no image.");

    // The ContainerRegistry and ContainerImageTag the AppHost was built with (Directory.Build.props or -p:), as assembly metadata.
    private string? BuildProperty(string key) =>
        builder.AppHostAssembly?.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
