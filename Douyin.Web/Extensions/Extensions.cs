using Douyin.Web.Media;
using Douyin.Web.RateLimiting;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddEdgeRateLimiting();
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        builder.Services.AddSingleton<HttpForwarder>();
        builder.Services.AddSingleton<WebSocketForwarder>();

        builder.AddAzureBlobServiceClient(ResourceNames.Blobs);
        builder.Services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName);
    }
}
