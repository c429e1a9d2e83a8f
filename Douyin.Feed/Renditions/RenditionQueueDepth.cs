using Douyin.EventBus;
using Douyin.EventBus.Messaging;
using RabbitMQ.Client;

namespace Douyin.Feed.Renditions;

/// <summary>
/// Feeds the <c>douyin.renditions.queued</c> gauge: the jobs that wait in Feed's queue, read from the broker every
/// <see cref="RenditionOptions.QueueDepthInterval"/>. Jobs wait there rather than in a process (a consumer takes only
/// as many as it runs), so the broker's count is the queue every replica shares.
/// </summary>
public sealed class RenditionQueueDepth(
    RabbitMQConnectionSource connections,
    IOptions<EventBusOptions> eventBus,
    IOptions<RenditionOptions> options,
    TimeProvider time,
    ILogger<RenditionQueueDepth> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.QueueDepthInterval, time);
        IChannel? channel = null;
        try
        {
            do
            {
                try
                {
                    channel ??= await (await connections.GetConnectionAsync(stoppingToken)).CreateChannelAsync(cancellationToken: stoppingToken);
                    RenditionTelemetry.SetQueued(await channel.MessageCountAsync(eventBus.Value.SubscriptionClientName!, stoppingToken));
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The broker is away or the queue not declared yet; the gauge keeps its last value.
                    logger.LogDebug(ex, "Could not read the rendition queue's depth");
                    if (channel is not null)
                    {
                        await channel.DisposeAsync();
                        channel = null;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (channel is not null)
            {
                await channel.DisposeAsync();
            }
        }
    }
}
