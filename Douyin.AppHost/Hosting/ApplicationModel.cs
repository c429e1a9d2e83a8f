using System.Diagnostics.CodeAnalysis;

namespace Aspire.Hosting.ApplicationModel;

// The subset of Aspire's app model that Douyin.AppHost uses. Names and shapes follow Aspire 9/13 so that
// Program.cs compiles unchanged against the real SDK.

public interface IResource
{
    string Name { get; }
    ResourceAnnotationCollection Annotations { get; }
}

public interface IResourceAnnotation;

public sealed class ResourceAnnotationCollection : List<IResourceAnnotation>;

public abstract class Resource(string name) : IResource
{
    public string Name { get; } = ModelName.Validate(name);
    public virtual ResourceAnnotationCollection Annotations { get; } = [];
    public override string ToString() => Name;
}

public interface IResourceWithEnvironment : IResource;
public interface IResourceWithArgs : IResource;
public interface IResourceWithWaitSupport : IResource;
public interface IResourceWithServiceDiscovery : IResourceWithEndpoints;
public interface IResourceWithoutLifetime : IResource;

public interface IResourceWithEndpoints : IResource;

public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

public interface IResourceWithParent<out T> : IResourceWithParent where T : IResource
{
    new T Parent { get; }
    IResource IResourceWithParent.Parent => Parent;
}

/// <summary>A resource whose consumers receive <c>ConnectionStrings__{name}</c>.</summary>
public interface IResourceWithConnectionString : IResource, IManifestExpressionProvider, IValueProvider
{
    ReferenceExpression ConnectionStringExpression { get; }

    string IManifestExpressionProvider.ValueExpression => $"{{{Name}.connectionString}}";

    ValueTask<string?> IValueProvider.GetValueAsync(CancellationToken cancellationToken) => GetConnectionStringAsync(cancellationToken);

    // A redirect (an existing server given in the AppHost's configuration) wins over the modelled one.
    ValueTask<string?> GetConnectionStringAsync(CancellationToken cancellationToken = default) =>
        this.TryGetLastAnnotation<ConnectionStringRedirectAnnotation>(out var redirect)
            ? redirect.Resource.GetConnectionStringAsync(cancellationToken)
            : ConnectionStringExpression.GetValueAsync(cancellationToken);
}

public sealed class ConnectionStringRedirectAnnotation(IResourceWithConnectionString resource) : IResourceAnnotation
{
    public IResourceWithConnectionString Resource { get; } = resource;
}

public class ContainerResource(string name) : Resource(name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>Overrides the image's entrypoint. Only publishers use it: run mode starts a local process instead of the image.</summary>
    public string? Entrypoint { get; set; }
}

/// <summary>Arguments of a container (Aspire's <c>WithArgs</c>); like <see cref="ContainerResource.Entrypoint"/>, used by publishers only.</summary>
public sealed class CommandLineArgsAnnotation(IReadOnlyList<string> args) : IResourceAnnotation
{
    public IReadOnlyList<string> Args { get; } = args;
}

public sealed class ContainerImageAnnotation : IResourceAnnotation
{
    public string? Registry { get; set; }
    public required string Image { get; set; }
    public string? Tag { get; set; }
}

public enum ContainerMountType { BindMount, Volume }

public sealed class ContainerMountAnnotation(string? source, string target, ContainerMountType type, bool isReadOnly) : IResourceAnnotation
{
    public string? Source { get; } = source;
    public string Target { get; } = target;
    public ContainerMountType Type { get; } = type;
    public bool IsReadOnly { get; } = isReadOnly;
}

public enum WaitType { WaitUntilHealthy, WaitForCompletion }

public sealed class WaitAnnotation(IResource resource, WaitType waitType) : IResourceAnnotation
{
    public IResource Resource { get; } = resource;
    public WaitType WaitType { get; } = waitType;
}

/// <summary>Recorded by <c>WithReference</c>; what gets injected is computed when the environment is built.</summary>
public sealed class ResourceReferenceAnnotation(IResource resource, string? connectionName) : IResourceAnnotation
{
    public IResource Resource { get; } = resource;
    public string? ConnectionName { get; } = connectionName;
}

public sealed class EnvironmentAnnotation(string name, object value) : IResourceAnnotation
{
    public string Name { get; } = name;
    /// <summary>A string, an <see cref="IValueProvider"/> or an <see cref="IManifestExpressionProvider"/> (both in practice).</summary>
    public object Value { get; } = value;
}

public sealed class HttpHealthCheckAnnotation(EndpointReference endpoint, string path, int statusCode) : IResourceAnnotation
{
    public EndpointReference Endpoint { get; } = endpoint;
    public string Path { get; } = path;
    public int StatusCode { get; } = statusCode;
}

public sealed class ReplicaAnnotation(int replicas) : IResourceAnnotation
{
    public int Replicas { get; } = replicas;
}

public static class ResourceExtensions
{
    public static bool TryGetLastAnnotation<T>(this IResource resource, [NotNullWhen(true)] out T? annotation) where T : class, IResourceAnnotation
    {
        annotation = resource.Annotations.OfType<T>().LastOrDefault();
        return annotation is not null;
    }

    public static int GetReplicaCount(this IResource resource) =>
        resource.TryGetLastAnnotation<ReplicaAnnotation>(out var replicas) ? replicas.Replicas : 1;
}

public sealed class DistributedApplicationModel(IEnumerable<IResource> resources)
{
    public IResourceCollection Resources { get; } = new ResourceCollection(resources);
}

public interface IResourceCollection : IList<IResource>;

internal sealed class ResourceCollection(IEnumerable<IResource> resources) : List<IResource>(resources), IResourceCollection
{
    public ResourceCollection() : this([]) { }
}

internal static class ModelName
{
    // Aspire's rule (and azd's, and Kubernetes'): letters, digits and single hyphens, starting with a letter.
    public static string Validate(string name)
    {
        var valid = name.Length is > 0 and <= 64 && char.IsAsciiLetter(name[0]) && !name.EndsWith('-') && !name.Contains("--")
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
        return valid ? name : throw new ArgumentException($"Resource name '{name}' is invalid: use ASCII letters, digits and single hyphens, starting with a letter (max 64).", nameof(name));
    }
}
