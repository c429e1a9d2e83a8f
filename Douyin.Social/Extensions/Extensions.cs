using Douyin.EventBus.IntegrationEvents;
using Douyin.Social.FeedCounters;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddTokenAuthentication();
        builder.AddServiceCredential(); // it serves /internal endpoints to the other services

        builder.AddServiceDatabase<SocialDbContext>(ResourceNames.SocialDb);
        builder.AddUserDirectory<AccountDirectory>();

        builder.AddServiceRedis(ResourceNames.Cache);
        builder.AddIdGenerator();

        builder.AddRabbitMqEventBus(ResourceNames.Messaging)
            .AddSubscription<VideoPublishedIntegrationEvent, VideoPublishedIntegrationEventHandler>()
            .AddSubscription<FavoriteCountsChangedIntegrationEvent, FavoriteCountsChangedIntegrationEventHandler>()
            .AddSubscription<VideoFavoriteChangedIntegrationEvent, VideoFavoriteChangedIntegrationEventHandler>()
            .AddEvent<FollowChangedIntegrationEvent>();
        builder.Services.AddIntegrationEventOutbox<SocialDbContext>();
        builder.Services.AddScoped<FeedCounterUpdates>();

        builder.AddLatestMessagesClient();

        builder.Services.AddOptions<AccountOptions>().BindConfiguration(AccountOptions.SectionName);
        builder.Services.AddOptions<UserCardCacheOptions>().BindConfiguration(UserCardCacheOptions.SectionName);
        builder.Services.AddOptions<RelationOptions>().BindConfiguration(RelationOptions.SectionName);
        builder.Services.AddOptions<LoginThrottleOptions>().BindConfiguration(LoginThrottleOptions.SectionName);
        builder.Services.AddSingleton<PasswordHashing>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddScoped<AccountService>();
        builder.Services.AddSingleton<UserCardCache>();
        builder.Services.AddScoped<UserCards>();
        builder.Services.AddScoped<RelationService>();
    }
}
