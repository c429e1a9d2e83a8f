using System.Text.Json.Serialization;

namespace Microsoft.Extensions.Hosting;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddDouyinApi();
        builder.AddTokenAuthentication();
        builder.AddServiceCredential(); // it serves /internal endpoints to the other services

        builder.AddServiceDatabase<ChatDbContext>(ResourceNames.ChatDb);

        builder.AddRedisClient(ResourceNames.Cache);
        builder.AddIdGenerator();
        builder.AddWordFilter();
        builder.AddUserCardsClient();

        // The hub speaks the API's JSON (snake_case), so a pushed message looks like one from /douyin/message/chat/.
        // Ids exceed JavaScript's exact integers (2^53), so JavaScript clients may pass them as strings.
        builder.Services.AddSignalR().AddJsonProtocol(o =>
        {
            DouyinApi.Configure(o.PayloadSerializerOptions);
            o.PayloadSerializerOptions.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        });
        builder.Services.AddSingleton<MessageFanOut>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MessageFanOut>());

        builder.Services.AddOptions<MessageOptions>().BindConfiguration(MessageOptions.SectionName);
        builder.Services.AddScoped<MessageService>();
    }
}
