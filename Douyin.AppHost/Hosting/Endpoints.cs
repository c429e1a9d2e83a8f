using System.Globalization;

namespace Aspire.Hosting.ApplicationModel;

public sealed class EndpointAnnotation(string name, string uriScheme, int? port = null, int? targetPort = null, bool isExternal = false) : IResourceAnnotation
{
    public string Name { get; } = ModelName.Validate(name);
    public string UriScheme { get; set; } = uriScheme;
    public string Transport { get; set; } = uriScheme is "http" or "https" ? "http" : uriScheme;
    /// <summary>The port callers use. Without Aspire's proxy it is also the port the process listens on.</summary>
    public int? Port { get; set; } = port;
    public int? TargetPort { get; set; } = targetPort;
    public bool IsExternal { get; set; } = isExternal;

    /// <summary>Run mode: the endpoint of the first replica.</summary>
    public AllocatedEndpoint? AllocatedEndpoint => AllocatedEndpoints.FirstOrDefault();

    /// <summary>Run mode: one endpoint per replica, because there is no proxy to share a port.</summary>
    internal List<AllocatedEndpoint> AllocatedEndpoints { get; } = [];
}

public sealed class AllocatedEndpoint(EndpointAnnotation endpoint, string address, int port)
{
    public EndpointAnnotation Endpoint { get; } = endpoint;
    public string Address { get; } = address;
    public int Port { get; } = port;
    public string UriScheme => Endpoint.UriScheme;
    public string EndPointString => $"{Address}:{Port.ToString(CultureInfo.InvariantCulture)}";
    public string UriString => $"{UriScheme}://{EndPointString}";
    public override string ToString() => UriString;
}

public enum EndpointProperty { Url, Host, IPV4Host, Port, Scheme, TargetPort, HostAndPort }

/// <summary>A named endpoint of a resource; usable as a value (its URL) and in expressions.</summary>
public sealed class EndpointReference(IResourceWithEndpoints owner, string endpointName) : IManifestExpressionProvider, IValueProvider
{
    public IResourceWithEndpoints Resource { get; } = owner;
    public string EndpointName { get; } = endpointName;

    public EndpointAnnotation EndpointAnnotation =>
        Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(e => e.Name == EndpointName)
        ?? throw new InvalidOperationException($"The endpoint '{EndpointName}' does not exist on the resource '{Resource.Name}'.");

    private AllocatedEndpoint Allocated => EndpointAnnotation.AllocatedEndpoint
        ?? throw new InvalidOperationException($"The endpoint '{EndpointName}' of '{Resource.Name}' has no allocated port yet (run mode allocates it at start).");

    public string Url => Allocated.UriString;
    public string Host => Allocated.Address;
    public int Port => Allocated.Port;
    public int? TargetPort => EndpointAnnotation.TargetPort ?? EndpointAnnotation.AllocatedEndpoint?.Port;
    public string Scheme => EndpointAnnotation.UriScheme;

    public string ValueExpression => $"{{{Resource.Name}.bindings.{EndpointName}.url}}";

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => new(Url);

    public EndpointReferenceExpression Property(EndpointProperty property) => new(this, property);
}

public sealed class EndpointReferenceExpression(EndpointReference endpoint, EndpointProperty property) : IManifestExpressionProvider, IValueProvider
{
    public EndpointReference Endpoint { get; } = endpoint;
    public EndpointProperty Property { get; } = property;

    public string ValueExpression
    {
        get
        {
            var binding = $"{Endpoint.Resource.Name}.bindings.{Endpoint.EndpointName}";
            return Property switch
            {
                EndpointProperty.Url => $"{{{binding}.url}}",
                EndpointProperty.Host or EndpointProperty.IPV4Host => $"{{{binding}.host}}",
                EndpointProperty.Port => $"{{{binding}.port}}",
                EndpointProperty.Scheme => $"{{{binding}.scheme}}",
                EndpointProperty.TargetPort => $"{{{binding}.targetPort}}",
                EndpointProperty.HostAndPort => $"{{{binding}.host}}:{{{binding}.port}}",
                _ => throw new InvalidOperationException($"Unknown endpoint property {Property}."),
            };
        }
    }

    public ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) => new(Property switch
    {
        EndpointProperty.Url => Endpoint.Url,
        EndpointProperty.Host => Endpoint.Host,
        // Aspire writes the IPv4 loopback where clients mis-handle "localhost" (the storage emulator).
        EndpointProperty.IPV4Host => "127.0.0.1",
        EndpointProperty.Port => Endpoint.Port.ToString(CultureInfo.InvariantCulture),
        EndpointProperty.Scheme => Endpoint.Scheme,
        EndpointProperty.TargetPort => Endpoint.TargetPort?.ToString(CultureInfo.InvariantCulture),
        EndpointProperty.HostAndPort => $"{Endpoint.Host}:{Endpoint.Port.ToString(CultureInfo.InvariantCulture)}",
        _ => throw new InvalidOperationException($"Unknown endpoint property {Property}."),
    });
}
