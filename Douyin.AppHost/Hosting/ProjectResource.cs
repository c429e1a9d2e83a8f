using System.Text.Json;
using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting
{
    /// <summary>Implemented by the generated <c>Projects.*</c> classes (see Projects.targets).</summary>
    public interface IProjectMetadata : IResourceAnnotation
    {
        string ProjectPath { get; }

        /// <summary>The built assembly; run mode starts <c>dotnet &lt;TargetPath&gt;</c>. Our addition: Aspire builds through DCP instead.</summary>
        string? TargetPath => null;
    }

    public static class ProjectResourceBuilderExtensions
    {
        public static IResourceBuilder<ProjectResource> AddProject<TProject>(this IDistributedApplicationBuilder builder, string name) where TProject : IProjectMetadata, new()
        {
            var metadata = new TProject();
            var project = new ProjectResource(name);
            project.Annotations.Add(metadata);

            // Publish mode ignores launch profiles, as Aspire does: a deployed project has http and https, with ports left to the target.
            if (builder.ExecutionContext.IsPublishMode)
            {
                project.Annotations.Add(new EndpointAnnotation("http", "http"));
                project.Annotations.Add(new EndpointAnnotation("https", "https"));
            }
            else if (LaunchProfile.Select(metadata.ProjectPath, builder.Configuration["DOTNET_LAUNCH_PROFILE"]) is { } launchProfile)
            {
                project.Annotations.Add(launchProfile);
                foreach (var url in launchProfile.ApplicationUrls)
                {
                    project.Annotations.Add(new EndpointAnnotation(url.Scheme, url.Scheme, url.Port));
                }
            }
            // A profile without applicationUrl still needs somewhere to listen: a free port, allocated at start.
            if (!project.Annotations.OfType<EndpointAnnotation>().Any())
            {
                project.Annotations.Add(new EndpointAnnotation("http", "http"));
            }
            return builder.AddResource(project);
        }

        /// <summary>Runs <paramref name="replicas"/> processes, each on its own port (we have no proxy), all listed in <c>services__{name}__http__{i}</c>.</summary>
        public static IResourceBuilder<ProjectResource> WithReplicas(this IResourceBuilder<ProjectResource> builder, int replicas)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
            return builder.WithAnnotation(new ReplicaAnnotation(replicas), ResourceAnnotationMutationBehavior.Replace);
        }
    }
}

namespace Aspire.Hosting.ApplicationModel
{
    public class ProjectResource(string name) : Resource(name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithServiceDiscovery, IResourceWithWaitSupport
    {
        public IProjectMetadata Metadata => Annotations.OfType<IProjectMetadata>().Single();
    }

    /// <summary>The launch profile a project runs with in run mode, read from Properties/launchSettings.json like Aspire does.</summary>
    public sealed class LaunchProfileAnnotation(string name, IReadOnlyList<Uri> applicationUrls, IReadOnlyDictionary<string, string> environmentVariables) : IResourceAnnotation
    {
        public string Name { get; } = name;
        public IReadOnlyList<Uri> ApplicationUrls { get; } = applicationUrls;
        public IReadOnlyDictionary<string, string> EnvironmentVariables { get; } = environmentVariables;
    }

    internal static class LaunchProfile
    {
        private static readonly JsonSerializerOptions s_options = new() { PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

        // The AppHost's own DOTNET_LAUNCH_PROFILE if the project has one by that name, else its first "Project" profile.
        public static LaunchProfileAnnotation? Select(string projectPath, string? preferredProfile)
        {
            var path = Path.Combine(Path.GetDirectoryName(projectPath)!, "Properties", "launchSettings.json");
            if (!File.Exists(path))
            {
                return null;
            }
            var settings = JsonSerializer.Deserialize<LaunchSettings>(File.ReadAllText(path), s_options);
            var profiles = settings?.Profiles ?? [];
            var (name, profile) = preferredProfile is not null && profiles.TryGetValue(preferredProfile, out var preferred)
                ? new KeyValuePair<string, Profile>(preferredProfile, preferred)
                : profiles.FirstOrDefault(p => p.Value.CommandName == "Project");
            if (profile is null)
            {
                return null;
            }
            var urls = (profile.ApplicationUrl ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u)).ToList();
            return new LaunchProfileAnnotation(name, urls, profile.EnvironmentVariables ?? []);
        }

        private sealed record LaunchSettings(Dictionary<string, Profile>? Profiles);

        private sealed record Profile(string? CommandName, string? ApplicationUrl, Dictionary<string, string>? EnvironmentVariables);
    }
}
