using System.Text.Json;
using Douyin.ServiceDefaults.Redis;
using Microsoft.AspNetCore.SignalR;

namespace Douyin.Chat.Hubs;

/// <summary>
/// Gets each stored message to the hub connections of both parties, on whichever Chat replica they are connected:
/// every replica publishes to one Redis channel and every replica, the sender's included, delivers what it hears to
/// its own connections (the part of SignalR's Redis backplane we need; that package is not in our registry).
/// Redis pub/sub is at most once, which is all a push promises: the history endpoint is the source of truth.
/// </summary>
public sealed class MessageFanOut(RedisConnection redis, IHubContext<ChatHub> hub, TimeProvider time, ILogger<MessageFanOut> logger)
    : BackgroundService
{
    public const string Channel = "chat:messages";

    public async Task PublishAsync(Message message, CancellationToken cancellationToken)
    {
        try
        {
            await redis.PublishAsync(Channel, JsonSerializer.SerializeToUtf8Bytes(message, DouyinApi.JsonOptions), cancellationToken);
        }
        catch (RedisException ex)
        {
            // The message is stored and the sender answered; open connections miss this push and catch up by history.
            logger.LogWarning("Message {MessageId} not pushed: {Reason}", message.Id, ex.Message);
        }
    }

    /// <summary>Subscribes for the life of the app; the Redis client resubscribes after a reconnect, this retries a failed first attempt.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var subscription = await redis.SubscribeAsync(Channel, DeliverAsync, stoppingToken);
                await Task.Delay(Timeout.InfiniteTimeSpan, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning("Subscribing to {Channel} failed, retrying: {Reason}", Channel, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    Task DeliverAsync(string channel, RedisValue payload)
    {
        var message = JsonSerializer.Deserialize<Message>((byte[])payload!, DouyinApi.JsonOptions)!;
        return hub.Clients.Users([message.FromUserId.ToString(CultureInfo.InvariantCulture), message.ToUserId.ToString(CultureInfo.InvariantCulture)])
            .SendAsync(ChatHub.MessageEvent, message);
    }
}
