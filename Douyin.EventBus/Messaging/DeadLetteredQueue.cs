using RabbitMQ.Client;

namespace Douyin.EventBus.Messaging;

public static class DeadLetteredQueue
{
    /// <summary>
    /// Declares the durable queue <paramref name="queue"/>, whose rejected messages go through the direct exchange
    /// <paramref name="deadLetterExchange"/> (routing key: the queue's name) into <c>&lt;queue&gt;.dead</c>.
    /// </summary>
    public static async Task DeclareDeadLetteredQueueAsync(this IChannel channel, string queue, string deadLetterExchange, CancellationToken cancellationToken)
    {
        var deadQueue = DeadQueueName(queue);
        await channel.ExchangeDeclareAsync(deadLetterExchange, ExchangeType.Direct, durable: true, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(deadQueue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(deadQueue, deadLetterExchange, routingKey: queue, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?>
            {
                ["x-dead-letter-exchange"] = deadLetterExchange,
                ["x-dead-letter-routing-key"] = queue,
            },
            cancellationToken: cancellationToken);
    }

    public static string DeadQueueName(string queue) => queue + ".dead";
}
