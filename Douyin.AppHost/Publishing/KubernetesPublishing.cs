#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // the pipeline API is experimental; it is how a publisher plugs in since Aspire 13
using System.Reflection;
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Logging;

namespace Douyin.AppHost.Publishing;

/// <summary>
/// <c>dotnet run --project Douyin.AppHost -- --operation publish --step publish-kubernetes --output-path &lt;dir&gt;</c>: the app
/// model as Kubernetes YAML (<see cref="KubernetesWriter"/>); Aspire.Hosting.Kubernetes is not served by our registry. The
/// manifest for azd is Aspire's own (<c>--publisher manifest</c>).
/// </summary>
public static class KubernetesPublishing
{
    public const string StepName = "publish-kubernetes";

    public static IDistributedApplicationBuilder AddKubernetesPublishing(this IDistributedApplicationBuilder builder)
    {
        builder.Pipeline.AddStep(StepName, async context =>
        {
            var outputPath = context.Services.GetRequiredService<IPipelineOutputService>().GetOutputDirectory();
            var model = new PublishedModel(context.Model, builder.Configuration, context.ExecutionContext, builder.AppHostAssembly);
            var written = await KubernetesWriter.WriteAsync(model, outputPath, context.CancellationToken);
            context.Logger.LogInformation("Wrote the Kubernetes description to {Path}", written);
        });
        return builder;
    }
}

/// <summary>The publish-mode view of the app model the Kubernetes writer reads: resources, environments, images.</summary>
internal sealed class PublishedModel(DistributedApplicationModel model, IConfiguration configuration, DistributedApplicationExecutionContext executionContext, Assembly? appHostAssembly)
{
    public IResourceCollection Resources => model.Resources;

    public IConfiguration Configuration => configuration;

    /// <summary>A resource's environment as Aspire's publishers see it: its environment callbacks run in publish mode (values are strings or expression providers).</summary>
    public async Task<Dictionary<string, object>> EnvironmentAsync(IResource resource, CancellationToken cancellationToken)
    {
        var context = new EnvironmentCallbackContext(executionContext, resource, cancellationToken: cancellationToken);
        foreach (var callback in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return context.EnvironmentVariables;
    }

    public static async Task<IReadOnlyList<object>> ArgumentsAsync(IResource resource, CancellationToken cancellationToken)
    {
        var arguments = new List<object>();
        var context = new CommandLineArgsCallbackContext(arguments, resource, cancellationToken);
        foreach (var callback in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        return arguments;
    }

    /// <summary>The resources a project references (WithReference), as the dashboard draws them.</summary>
    public static IEnumerable<IResource> References(IResource resource) =>
        resource.Annotations.OfType<ResourceRelationshipAnnotation>().Where(r => r.Type == "Reference").Select(r => r.Resource);

    /// <summary>The image a project builds to with <c>dotnet publish -t:PublishContainer</c>: its ContainerRepository (douyin-feed for Douyin.Feed).</summary>
    public string ProjectImage(ProjectResource project)
    {
        var projectPath = project.GetProjectMetadata().ProjectPath;
        var repository = Path.GetFileNameWithoutExtension(projectPath).ToLowerInvariant().Replace('.', '-');
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
        appHostAssembly?.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == key)?.Value;
}
