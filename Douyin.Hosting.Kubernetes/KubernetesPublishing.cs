#pragma warning disable ASPIREPIPELINES001, ASPIREPIPELINES004 // the pipeline API is experimental; it is how a publisher plugs in since Aspire 13
using Aspire.Hosting.Pipelines;
using Microsoft.Extensions.Logging;

namespace Douyin.Hosting.Kubernetes;

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
            var writer = new KubernetesWriter(context.Model, builder.Configuration, context.ExecutionContext, builder.AppHostAssembly);
            var written = await writer.WriteAsync(outputPath, context.CancellationToken);
            context.Logger.LogInformation("Wrote the Kubernetes description to {Path}", written);
        });
        return builder;
    }
}
