using Douyin.ServiceDefaults.ServiceDiscovery;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

public static class ServiceDiscoveryExtensions
{
    /// <summary>Registers the resolver for <c>services:*</c> endpoints (Microsoft.Extensions.ServiceDiscovery's role).</summary>
    public static IServiceCollection AddServiceDiscovery(this IServiceCollection services)
    {
        services.TryAddSingleton<ServiceEndpointResolver>();
        return services;
    }

    /// <summary>Lets this client address services by logical name: <c>new Uri("http://social")</c>.</summary>
    public static IHttpClientBuilder AddServiceDiscovery(this IHttpClientBuilder builder)
    {
        builder.AddHttpMessageHandler(sp => new ServiceDiscoveryHandler(sp.GetRequiredService<ServiceEndpointResolver>()));
        return builder;
    }
}

internal sealed class ServiceDiscoveryHandler(ServiceEndpointResolver resolver) : DelegatingHandler
{
    // A retry re-sends the same message: remember the logical address so every attempt resolves afresh.
    static readonly HttpRequestOptionsKey<Uri> s_logicalUri = new("Douyin.ServiceDiscovery.LogicalUri");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(s_logicalUri, out var logical))
        {
            request.RequestUri = resolver.Rewrite(logical);
        }
        else if (request.RequestUri is { IsAbsoluteUri: true } uri && ServiceEndpointResolver.IsLogical(uri))
        {
            request.Options.Set(s_logicalUri, uri);
            request.RequestUri = resolver.Rewrite(uri);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
