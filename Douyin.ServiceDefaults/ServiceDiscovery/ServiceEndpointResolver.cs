using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Douyin.ServiceDefaults.ServiceDiscovery;

/// <summary>
/// Resolves logical addresses such as <c>http://social</c>, <c>https+http://feed</c> or <c>http://_grpc.chat</c>
/// from the <c>services:{name}:{endpoint}:{i}</c> keys an Aspire AppHost injects, the way
/// Microsoft.Extensions.ServiceDiscovery does (shared/design/aspire-conventions.md §3). Several endpoints
/// (replicas) are used round-robin.
/// </summary>
public sealed class ServiceEndpointResolver
{
    readonly IConfiguration _configuration;
    readonly ConcurrentDictionary<(string Service, string Schemes), Resolution> _cache = new();

    public ServiceEndpointResolver(IConfiguration configuration)
    {
        _configuration = configuration;
        // We do not watch endpoints live like the real package; a configuration reload is enough to pick up changes.
        ChangeToken.OnChange(configuration.GetReloadToken, _cache.Clear);
    }

    /// <summary>True when the URI names a logical service rather than a real host.</summary>
    public static bool IsLogical(Uri uri) =>
        uri.Scheme.Contains('+') || (uri.HostNameType == UriHostNameType.Dns && !uri.Host.Contains('.') && !uri.IsLoopback);

    /// <summary>Returns the base URI (scheme, host, port) of one endpoint of the service named by <paramref name="logical"/>.</summary>
    public Uri Resolve(Uri logical) => GetResolution(logical).Next();

    /// <summary>
    /// Like <see cref="Resolve(Uri)"/>, but always the same endpoint for the same <paramref name="affinityKey"/> (while
    /// the endpoints stay the same), in every process: for connections whose requests must reach one replica.
    /// </summary>
    public Uri Resolve(Uri logical, string affinityKey) => GetResolution(logical).Pick(affinityKey);

    Resolution GetResolution(Uri logical)
    {
        var (service, endpointName) = ParseHost(logical.Host);
        var schemes = logical.Scheme.Split('+', StringSplitOptions.RemoveEmptyEntries);
        var key = (service, endpointName is null ? string.Join('+', schemes) : "_" + endpointName);
        return _cache.GetOrAdd(key, _ => Load(service, endpointName, schemes));
    }

    /// <summary>Rewrites a logical request URI to a concrete one, keeping path and query.</summary>
    public Uri Rewrite(Uri logical)
    {
        var target = Resolve(logical);
        return new UriBuilder(logical) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
    }

    static (string Service, string? Endpoint) ParseHost(string host)
    {
        // "_grpc.feed" names endpoint "grpc" of service "feed".
        if (host.StartsWith('_') && host.IndexOf('.') is var dot and > 1)
        {
            return (host[(dot + 1)..], host[1..dot]);
        }
        return (host, null);
    }

    Resolution Load(string service, string? endpointName, string[] schemes)
    {
        var section = _configuration.GetSection($"services:{service}");
        string[] candidates = endpointName is not null ? [endpointName] : ["default", .. schemes];
        foreach (var candidate in candidates)
        {
            var values = ReadValues(section.GetSection(candidate));
            if (values.Count == 0)
            {
                continue;
            }

            // Keep the endpoints of the highest-priority scheme present; "host:port" without a scheme always passes.
            var endpoints = values
                .Select(v => (HasScheme: v.Contains("://"), Uri: new Uri(v.Contains("://") ? v : $"{schemes.FirstOrDefault() ?? "http"}://{v}")))
                .ToList();
            var preferred = schemes.FirstOrDefault(s => endpoints.Any(e => e.HasScheme && e.Uri.Scheme == s));
            var chosen = endpoints.Where(e => !e.HasScheme || preferred is null || e.Uri.Scheme == preferred).Select(e => e.Uri).ToArray();
            if (chosen.Length > 0)
            {
                return new Resolution(chosen);
            }
        }

        var scheme = endpointName ?? schemes.LastOrDefault() ?? "http";
        throw new InvalidOperationException(
            $"No endpoint is configured for service '{service}'. Set services__{service}__{scheme}__0 (configuration key services:{service}:{scheme}:0).");
    }

    static List<string> ReadValues(IConfigurationSection section)
    {
        if (!string.IsNullOrWhiteSpace(section.Value))
        {
            return [section.Value];
        }

        var values = new List<string>();
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            if (!int.TryParse(child.Key, out _))
            {
                throw new InvalidOperationException($"Endpoint key '{child.Path}' must be numbered (services:<name>:<endpoint>:<index>).");
            }
            if (!string.IsNullOrWhiteSpace(child.Value))
            {
                values.Add(child.Value);
            }
        }
        return values;
    }

    sealed class Resolution(Uri[] endpoints)
    {
        int _next = -1;

        public Uri Next() => endpoints.Length == 1
            ? endpoints[0]
            : endpoints[(int)((uint)Interlocked.Increment(ref _next) % (uint)endpoints.Length)];

        // FNV-1a rather than string.GetHashCode, which differs between processes (and so between gateway replicas).
        public Uri Pick(string affinityKey)
        {
            var hash = 2166136261u;
            foreach (var c in affinityKey)
            {
                hash = (hash ^ c) * 16777619u;
            }
            return endpoints[(int)(hash % (uint)endpoints.Length)];
        }
    }
}
