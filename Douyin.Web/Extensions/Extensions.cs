using Microsoft.AspNetCore.Server.Kestrel.Core;
using Douyin.Web.Media;
using Douyin.Web.RateLimiting;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddTrustedProxies();
        builder.AddEdgeRateLimiting();
        // Kestrel answers a bare 414 past its request-line limit; a roomier one lets the API refuse long queries with its envelope.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestLineSize = 64 * 1024);
        // Every request but an upload (its route's MaxRequestBodySize raises the limit) is a few form fields; Kestrel
        // stops a body past this while it streams, UseBodyLimit refuses a declared one with the envelope first.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = GatewayRoutes.MaxBodyBytes);
        builder.AddGateway();

        builder.AddAzureBlobServiceClient(ResourceNames.Blobs);
        builder.Services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName);
    }
}
