using Douyin.ServiceDefaults.Redis;
using StackExchange.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Douyin.ServiceDefaults.Ids;

/// <summary>
/// Gives the generator a worker id at start-up when <c>Ids:WorkerId</c> does not: the next value of a Redis
/// counter per service, so replicas that start together get distinct ids (1,024 starts before one repeats).
/// Without Redis it falls back to a random id and says so, since two replicas could then collide.
/// </summary>
internal sealed class WorkerIdLease(SnowflakeIdGenerator generator, IServiceProvider services, IHostEnvironment environment, ILogger<WorkerIdLease> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (generator.WorkerId >= 0)
        {
            return;
        }

        if (services.GetService<IConnectionMultiplexer>() is { } redis)
        {
            try
            {
                var next = await redis.GetDatabase().StringIncrementAsync($"douyin:ids:worker:{environment.ApplicationName}");
                generator.SetWorkerId((int)((next - 1) % (SnowflakeIdGenerator.MaxWorkerId + 1)));
                logger.LogInformation("Leased id worker {WorkerId}", generator.WorkerId);
                return;
            }
            catch (Exception ex) when (ex.IsRedisFailure())
            {
                logger.LogWarning(ex, "Could not lease an id worker from Redis");
            }
        }

        generator.SetWorkerId(Random.Shared.Next(SnowflakeIdGenerator.MaxWorkerId + 1));
        logger.LogWarning("Using random id worker {WorkerId}; set Ids:WorkerId to make replicas safe without Redis", generator.WorkerId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
