using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Douyin.Web.Gateway;

/// <summary>
/// The proxies in front of the edge (section <c>ForwardedHeaders</c>), e.g. the Ingress controller's pod network.
/// Their X-Forwarded-For, -Proto and -Host are believed; anyone else's are ignored. None by default: the edge then
/// uses the connection's own address and scheme, so a client cannot pick its rate-limit key or its URLs' origin.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string SectionName = "ForwardedHeaders";

    /// <summary>CIDR ranges such as <c>10.244.0.0/16</c> (<c>ForwardedHeaders:KnownNetworks:0</c>, ...).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Single addresses such as <c>10.0.0.4</c> (<c>ForwardedHeaders:KnownProxies:0</c>, ...).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>How many proxies' entries are read from the end of X-Forwarded-For; one per trusted hop.</summary>
    public int ForwardLimit { get; set; } = 1;

    internal bool IsValid() =>
        KnownNetworks.All(n => System.Net.IPNetwork.TryParse(n, out _)) && KnownProxies.All(p => IPAddress.TryParse(p, out _)) && ForwardLimit >= 1;
}

public static class TrustedProxies
{
    public static IHostApplicationBuilder AddTrustedProxies(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.SectionName)
            .Validate(o => o.IsValid(), "ForwardedHeaders:KnownNetworks must hold CIDR ranges (10.0.0.0/8), ForwardedHeaders:KnownProxies IP addresses, ForwardLimit at least 1.")
            .ValidateOnStart();
        // A post-configuration, so it runs after the host's own setup (ASPNETCORE_FORWARDEDHEADERS_ENABLED empties both
        // lists, which the middleware reads as "believe any sender") and after AddDouyinApi's X-Forwarded-Host.
        builder.Services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<TrustedProxyOptions>>((forwarded, options) =>
        {
            var trusted = options.Value;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            trusted.KnownNetworks.ForEach(n => forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(n)));
            trusted.KnownProxies.ForEach(p => forwarded.KnownProxies.Add(IPAddress.Parse(p)));
            forwarded.ForwardLimit = trusted.ForwardLimit;
            forwarded.ForwardedHeaders = trusted.KnownNetworks.Count + trusted.KnownProxies.Count == 0
                ? ForwardedHeaders.None
                : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        });
        return builder;
    }

    /// <summary>Reads forwarded headers first in the pipeline, unless the host already does (the AppHost sets ASPNETCORE_FORWARDEDHEADERS_ENABLED).</summary>
    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (!string.Equals(app.Configuration["FORWARDEDHEADERS_ENABLED"], "true", StringComparison.OrdinalIgnoreCase))
        {
            app.UseForwardedHeaders();
        }
        return app;
    }
}
