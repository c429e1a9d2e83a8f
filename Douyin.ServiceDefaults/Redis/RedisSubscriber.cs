using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// Pub/sub needs its own connection: once subscribed, RESP2 allows nothing but (un)subscribe on it.
/// The registry outlives connections, so every reconnect subscribes again to what is still registered.
/// </summary>
sealed class RedisSubscriber : IAsyncDisposable
{
    readonly ILogger _logger;
    readonly RedisConnection _connection;
    readonly Lock _gate = new();
    readonly Dictionary<(bool IsPattern, string Name), Subscription[]> _subscriptions = [];

    public RedisSubscriber(RedisOptions options, ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _connection = new RedisConnection(options, logger, time, OnPush, ResubscribeAsync);
    }

    public async Task<IAsyncDisposable> SubscribeAsync(string name, bool isPattern, Func<string, RedisValue, Task> handler, CancellationToken cancellationToken)
    {
        var subscription = new Subscription(this, (isPattern, name), handler);
        Task subscribed;
        lock (_gate)
        {
            _subscriptions[subscription.Key] = [.. _subscriptions.GetValueOrDefault(subscription.Key) ?? [], subscription];
            // Queued under the lock so it cannot overtake an UNSUBSCRIBE for the same name.
            subscribed = _connection.ExecuteAsync(isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", [name], cancellationToken);
        }
        try
        {
            await subscribed;
            return subscription;
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }
    }

    void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            var remaining = _subscriptions.GetValueOrDefault(subscription.Key)?.Where(s => s != subscription).ToArray() ?? [];
            if (remaining.Length > 0)
            {
                _subscriptions[subscription.Key] = remaining;
            }
            else if (_subscriptions.Remove(subscription.Key) && _connection.IsConnected)
            {
                var (isPattern, name) = subscription.Key;
                // Best effort: if the connection drops instead, the reconnect simply does not resubscribe.
                _connection.ExecuteAsync(isPattern ? "PUNSUBSCRIBE" : "UNSUBSCRIBE", [name]).ContinueWith(
                    static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
            }
        }
    }

    Task ResubscribeAsync(CancellationToken cancellationToken)
    {
        List<Task> subscribed = [];
        lock (_gate)
        {
            // One command per name: each SUBSCRIBE then gets exactly one confirmation reply.
            foreach (var (isPattern, name) in _subscriptions.Keys)
            {
                subscribed.Add(_connection.ExecuteAsync(isPattern ? "PSUBSCRIBE" : "SUBSCRIBE", [name], cancellationToken));
            }
        }
        return Task.WhenAll(subscribed);
    }

    /// <summary>Runs on the read loop: routes ["message", channel, payload] and ["pmessage", pattern, channel, payload].</summary>
    bool OnPush(RedisValue reply)
    {
        if (reply.Type != RedisType.Array || reply.Length < 3)
        {
            return false;
        }
        var kind = reply[0].ToString();
        (bool, string) key;
        string channel;
        RedisValue message;
        if (kind == "message")
        {
            (channel, message) = (reply[1].ToString()!, reply[2]);
            key = (false, channel);
        }
        else if (kind == "pmessage" && reply.Length == 4)
        {
            (channel, message) = (reply[2].ToString()!, reply[3]);
            key = (true, reply[1].ToString()!);
        }
        else
        {
            return false; // (un)subscribe confirmations answer our commands
        }
        Subscription[]? targets;
        lock (_gate)
        {
            targets = _subscriptions.GetValueOrDefault(key);
        }
        foreach (var subscription in targets ?? [])
        {
            subscription.Post(channel, message);
        }
        return true;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Each subscription drains its own queue, so a slow handler delays only itself, never the read loop.</summary>
    sealed class Subscription : IAsyncDisposable
    {
        readonly RedisSubscriber _owner;
        readonly Channel<(string Channel, RedisValue Message)> _queue = Channel.CreateUnbounded<(string, RedisValue)>(new() { SingleReader = true });
        readonly Task _pump;

        public Subscription(RedisSubscriber owner, (bool, string) key, Func<string, RedisValue, Task> handler)
        {
            (_owner, Key) = (owner, key);
            _pump = PumpAsync(handler);
        }

        public (bool IsPattern, string Name) Key { get; }

        public void Post(string channel, RedisValue message) => _queue.Writer.TryWrite((channel, message));

        async Task PumpAsync(Func<string, RedisValue, Task> handler)
        {
            await foreach (var (channel, message) in _queue.Reader.ReadAllAsync())
            {
                try
                {
                    await handler(channel, message);
                }
                catch (Exception ex)
                {
                    _owner._logger.LogError(ex, "Redis subscription handler for {Channel} failed", channel);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_queue.Writer.TryComplete())
            {
                _owner.Remove(this);
            }
            await _pump;
        }
    }
}
