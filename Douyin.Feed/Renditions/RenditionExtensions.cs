using Douyin.Feed.Renditions;
using Douyin.EventBus;

namespace Microsoft.Extensions.Hosting;

internal static class RenditionExtensions
{
    /// <summary>
    /// The rendition job's services. Its event (<c>VideoRenditionRequestedIntegrationEvent</c>) is subscribed on the
    /// event bus in AddApplicationServices; Feed's queue carries only these jobs, so its consumer is shaped for them
    /// here: it takes no more jobs than it runs (the rest wait in the broker for any replica) and retries a job as the
    /// Renditions section says (an encode wants a longer backoff than the event bus's default).
    /// </summary>
    public static void AddRenditions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RenditionOptions>().BindConfiguration(RenditionOptions.SectionName);
        builder.Services.AddOptions<EventBusOptions>().Configure<IOptions<RenditionOptions>>((eventBus, renditions) =>
        {
            var concurrent = (ushort)Math.Clamp(renditions.Value.MaxConcurrent, 1, ushort.MaxValue);
            eventBus.ConsumerConcurrency = concurrent;
            eventBus.PrefetchCount = concurrent;
            eventBus.RetryCount = renditions.Value.RetryCount;
            eventBus.RetryDelay = renditions.Value.RetryDelay;
        });
        builder.Services.AddSingleton<RenditionEncoder>();
        builder.Services.AddHostedService<RenditionQueueDepth>();
        // The operator's backfill of videos published without a job (RenditionCommands).
        builder.Services.AddScoped<RenditionBackfill>();
    }
}
