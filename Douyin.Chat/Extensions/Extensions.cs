using System.Text.Json.Serialization;
using Douyin.ServiceDefaults.Redis;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddTokenAuthentication();
        builder.AddServiceCredential(); // it serves /internal endpoints to the other services

        builder.AddServiceDatabase<ChatDbContext>(ResourceNames.ChatDb);

        builder.AddServiceRedis(ResourceNames.Cache);
        builder.AddIdGenerator();
        builder.AddWordFilter();
        builder.AddUserCardsClient();

        // The hub speaks the API's JSON (snake_case), so a pushed message looks like one from /douyin/message/chat/.
        // Ids exceed JavaScript's exact integers (2^53), so JavaScript clients may pass them as strings.
        // SignalR's Redis backplane gets a push to the connections of both parties on whichever replica they are.
        builder.Services.AddSignalR()
            .AddJsonProtocol(o =>
            {
                DouyinApi.Configure(o.PayloadSerializerOptions);
                o.PayloadSerializerOptions.NumberHandling = JsonNumberHandling.AllowReadingFromString;
            })
            .AddStackExchangeRedis(builder.Configuration.GetConnectionString(ResourceNames.Cache)!, o =>
            {
                o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("douyin-chat");
                // Chat starts and serves history while Redis is down, a send then answers without waiting to push,
                // and pushes resume when Redis is back.
                o.Configuration.UseDouyinDefaults();
            });

        builder.Services.AddOptions<MessageOptions>().BindConfiguration(MessageOptions.SectionName);
        builder.Services.AddScoped<MessageService>();
    }
}
