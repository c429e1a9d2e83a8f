using Douyin.ServiceDefaults.Ids;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class IdGeneratorExtensions
{
    /// <summary>The snowflake id generator, its worker id from <c>Ids:WorkerId</c> or leased at start-up.</summary>
    public static IHostApplicationBuilder AddIdGenerator(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IdGeneratorOptions>().BindConfiguration("Ids");
        builder.Services.AddSingleton<SnowflakeIdGenerator>();
        builder.Services.AddHostedService<WorkerIdLease>();
        return builder;
    }
}
