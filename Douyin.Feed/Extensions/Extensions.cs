using Douyin.Feed.Publishing;
using Douyin.Feed.Renditions;
using Douyin.Feed.Writes;
using Douyin.EventBus.IntegrationEvents;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddTokenAuthentication();

        builder.AddServiceDatabase<FeedDbContext>(ResourceNames.FeedDb);

        builder.AddServiceRedis(ResourceNames.Cache);
        builder.AddRabbitMqEventBus(ResourceNames.Messaging)
            .AddEvent<VideoPublishedIntegrationEvent>()
            .AddEvent<FavoriteCountsChangedIntegrationEvent>()
            .AddSubscription<VideoRenditionRequestedIntegrationEvent, VideoRenditionRequestedHandler>();
        builder.Services.AddIntegrationEventOutbox<FeedDbContext>();
        builder.AddAzureBlobServiceClient(ResourceNames.Blobs);
        builder.AddIdGenerator();
        builder.AddUserCardsClient();
        builder.AddWordFilter();

        builder.Services.AddOptions<FeedOptions>().BindConfiguration(FeedOptions.SectionName);
        builder.Services.AddOptions<MediaOptions>().BindConfiguration(MediaOptions.SectionName);
        builder.Services.AddOptions<FeedWritesOptions>().BindConfiguration(FeedWritesOptions.SectionName);
        builder.Services.AddOptions<CommentOptions>().BindConfiguration(CommentOptions.SectionName);

        // Only for its stampede protection (SharedReads): what the feed caches lives in its own Redis keys.
        builder.Services.AddHybridCache();
        builder.Services.AddScoped<VideoTimeline>();
        builder.Services.AddMemoryCache();
        builder.Services.AddScoped<VideoCache>();
        builder.Services.AddSingleton<VideoExistence>();
        builder.Services.AddScoped<VideoFeed>();
        builder.Services.AddScoped<FavoriteLookup>();
        builder.Services.AddScoped<VideoCards>();
        builder.Services.AddSingleton<MediaTools>();
        builder.Services.AddSingleton<UploadLimits>();
        builder.Services.AddSingleton<MediaStorage>();
        builder.Services.AddScoped<VideoPublisher>();
        // Streaming renditions, made in the background from the rendition jobs publishing enqueues.
        builder.AddRenditions();

        // Likes and comments: endpoints queue writes (feed.writes), the consumer applies them in batches.
        builder.Services.AddSingleton<FeedWriteQueue>();
        builder.Services.AddScoped<FeedWriteApplier>();
        builder.Services.AddHostedService<FeedWriteConsumer>();
        builder.Services.AddScoped<CommentStore>();
        builder.Services.AddScoped<CommentCards>();
    }
}
