using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Ids;

/// <summary>Gives the generator a worker id at start-up when configuration does not.</summary>
internal sealed class WorkerIdLease(SnowflakeIdGenerator generator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (generator.WorkerId < 0)
        {
            generator.SetWorkerId(Random.Shared.Next(SnowflakeIdGenerator.MaxWorkerId + 1));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
