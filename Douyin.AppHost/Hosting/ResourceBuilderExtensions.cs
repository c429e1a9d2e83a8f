using Aspire.Hosting.ApplicationModel;

namespace Aspire.Hosting;

public static class ResourceBuilderExtensions
{
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string? value) where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, value ?? ""));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, in ReferenceExpression.ExpressionInterpolatedStringHandler value) where T : IResourceWithEnvironment =>
        builder.WithEnvironment(name, ReferenceExpression.Create(value));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, ReferenceExpression value) where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, value));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, EndpointReference endpointReference) where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, endpointReference));

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, IResourceBuilder<ParameterResource> parameter) where T : IResourceWithEnvironment =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, parameter.Resource));

    public static IResourceBuilder<T> WithEnvironment<T, TValue>(this IResourceBuilder<T> builder, string name, TValue value)
        where T : IResourceWithEnvironment where TValue : IValueProvider, IManifestExpressionProvider =>
        builder.WithAnnotation(new EnvironmentAnnotation(name, value));

    /// <summary>Injects <c>ConnectionStrings__{connectionName ?? resource name}</c>.</summary>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(this IResourceBuilder<TDestination> builder, IResourceBuilder<IResourceWithConnectionString> source, string? connectionName = null)
        where TDestination : IResourceWithEnvironment =>
        builder.WithAnnotation(new ResourceReferenceAnnotation(source.Resource, connectionName));

    /// <summary>Injects <c>services__{name}__{scheme}__{i}</c> for every endpoint of the referenced service.</summary>
    public static IResourceBuilder<TDestination> WithReference<TDestination>(this IResourceBuilder<TDestination> builder, IResourceBuilder<IResourceWithServiceDiscovery> source)
        where TDestination : IResourceWithEnvironment =>
        builder.WithAnnotation(new ResourceReferenceAnnotation(source.Resource, connectionName: null));

    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency) where T : IResourceWithWaitSupport
    {
        if (ReferenceEquals(builder.Resource, dependency.Resource))
        {
            throw new DistributedApplicationException($"The '{builder.Resource.Name}' resource cannot wait for itself.");
        }
        if (Waits(dependency.Resource, builder.Resource, []))
        {
            throw new DistributedApplicationException($"'{builder.Resource.Name}' cannot wait for '{dependency.Resource.Name}', which already waits for it (a cycle).");
        }
        return builder.WithAnnotation(new WaitAnnotation(dependency.Resource, WaitType.WaitUntilHealthy));
    }

    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, int? targetPort = null, string? name = null)
        where T : IResourceWithEndpoints
    {
        name ??= "http";
        if (builder.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == name))
        {
            throw new DistributedApplicationException($"Endpoint with name '{name}' already exists. Endpoint name may not have been explicitly specified and was derived automatically from scheme argument (e.g. 'http', 'https', or 'tcp'). Multiple calls to WithEndpoint (and related methods) may result in a conflict if name argument is not specified. Each endpoint must have a unique name.");
        }
        return builder.WithAnnotation(new EndpointAnnotation(name, "http", port, targetPort));
    }

    public static IResourceBuilder<T> WithEndpoint<T>(this IResourceBuilder<T> builder, string endpointName, Action<EndpointAnnotation> callback, bool createIfNotExists = true)
        where T : IResourceWithEndpoints
    {
        var endpoint = builder.Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(e => e.Name == endpointName);
        if (endpoint is null)
        {
            if (!createIfNotExists)
            {
                return builder;
            }
            endpoint = new EndpointAnnotation(endpointName, uriScheme: "tcp");
            builder.Resource.Annotations.Add(endpoint);
        }
        callback(endpoint);
        return builder;
    }

    public static IResourceBuilder<T> WithExternalHttpEndpoints<T>(this IResourceBuilder<T> builder) where T : IResourceWithEndpoints
    {
        foreach (var endpoint in builder.Resource.Annotations.OfType<EndpointAnnotation>().Where(e => e.UriScheme is "http" or "https"))
        {
            endpoint.IsExternal = true;
        }
        return builder;
    }

    public static EndpointReference GetEndpoint<T>(this IResourceBuilder<T> builder, string name) where T : IResourceWithEndpoints => new(builder.Resource, name);

    /// <summary>Healthy means a GET of <paramref name="path"/> on the resource's http endpoint returns <paramref name="statusCode"/> (200).</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string? path = null, int? statusCode = null, string? endpointName = null)
        where T : IResourceWithEndpoints
    {
        var endpoint = endpointName is not null
            ? builder.GetEndpoint(endpointName)
            : builder.Resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.UriScheme is "http" or "https") is { } http
                ? builder.GetEndpoint(http.Name)
                : throw new DistributedApplicationException($"Could not create an HTTP health check for '{builder.Resource.Name}': it has no http or https endpoint.");
        return builder.WithAnnotation(new HttpHealthCheckAnnotation(endpoint, path ?? "/", statusCode ?? 200));
    }

    private static bool Waits(IResource from, IResource target, HashSet<IResource> seen) =>
        seen.Add(from) && from.Annotations.OfType<WaitAnnotation>().Any(w => ReferenceEquals(w.Resource, target) || Waits(w.Resource, target, seen));
}
