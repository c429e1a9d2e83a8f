using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// A thread-safe Redis client that pipelines every caller over one connection. It connects in the
/// background and reconnects with backoff: creating it never blocks or throws when Redis is down
/// (Aspire's abortConnect=false). While disconnected, a command waits for the reconnect up to
/// <see cref="RedisOptions.CommandTimeout"/>; once an attempt has failed it fails fast instead, so hot
/// paths do not pile up behind a dead server.
/// </summary>
public sealed partial class RedisConnection : IAsyncDisposable
{
    static readonly TimeSpan s_initialBackoff = TimeSpan.FromMilliseconds(50);
    static readonly TimeSpan s_maxBackoff = TimeSpan.FromSeconds(1);

    readonly ILogger _logger;
    readonly TimeProvider _time;
    readonly Func<RedisValue, bool>? _onPush;
    readonly Func<CancellationToken, Task>? _onConnected;
    readonly CancellationTokenSource _disposed = new();
    readonly Lock _gate = new();
    readonly ITimer _timeouts;
    readonly Task _run;
    RedisSession? _session;
    Exception? _connectError;
    TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    RedisSubscriber? _subscriber;

    public RedisConnection(string configuration, ILogger<RedisConnection>? logger = null, TimeProvider? timeProvider = null)
        : this(RedisOptions.Parse(configuration), logger, timeProvider)
    {
    }

    public RedisConnection(RedisOptions options, ILogger<RedisConnection>? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger ?? NullLogger<RedisConnection>.Instance, timeProvider ?? TimeProvider.System, null, null)
    {
    }

    /// <param name="onPush">Sees every reply first and returns true for out-of-band ones (pub/sub messages).</param>
    /// <param name="onConnected">Runs after each (re)connect, e.g. to resubscribe; other commands already flow meanwhile.</param>
    internal RedisConnection(RedisOptions options, ILogger logger, TimeProvider time, Func<RedisValue, bool>? onPush, Func<CancellationToken, Task>? onConnected)
    {
        (Options, _logger, _time, _onPush, _onConnected) = (options, logger, time, onPush, onConnected);
        // Background work must not capture the ambient Activity or request context of whoever resolved us first.
        using (ExecutionContext.SuppressFlow())
        {
            var period = TimeSpan.FromTicks(Math.Clamp(options.CommandTimeout.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
            _timeouts = time.CreateTimer(static state => ((RedisConnection)state!).ExpireCommands(), this, period, period);
            _run = Task.Run(RunAsync);
        }
    }

    public RedisOptions Options { get; }

    public bool IsConnected => Volatile.Read(ref _session) is not null;

    /// <summary>
    /// Sends any command, e.g. <c>ExecuteAsync("SET", ["key", 42])</c>. Error replies throw <see cref="RedisServerException"/>.
    /// Commands are sent in call order while connected; ones that had to wait for a connection are not ordered among themselves.
    /// </summary>
    public Task<RedisValue> ExecuteAsync(string command, ReadOnlySpan<RedisArg> args, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<RedisValue>(cancellationToken);
        }
        var activity = RedisTelemetry.StartCommand(command, Options);
        return Volatile.Read(ref _session) is { } session && session.TrySend(command, args, activity, cancellationToken, out var task)
            ? task
            : ExecuteWhenConnectedAsync(command, args.ToArray(), activity, cancellationToken);
    }

    async Task<RedisValue> ExecuteWhenConnectedAsync(string command, RedisArg[] args, Activity? activity, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var sent = false;
        try
        {
            while (true)
            {
                // Read the signal first: a state change after this point completes it, so no wake-up is lost.
                var signal = Volatile.Read(ref _stateChanged).Task;
                ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
                if (Volatile.Read(ref _session) is { } session && session.TrySend(command, args, activity, cancellationToken, out var task))
                {
                    sent = true;
                    return await task;
                }
                if (Volatile.Read(ref _connectError) is { } error)
                {
                    throw new RedisConnectionException($"Redis at {Options.Endpoint} is unavailable: {error.Message}", error);
                }
                var remaining = Options.CommandTimeout - _time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new RedisConnectionException($"No connection to Redis at {Options.Endpoint} within {Options.CommandTimeout.TotalMilliseconds:0} ms.");
                }
                await signal.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        catch (Exception ex) when (!sent)
        {
            RedisTelemetry.CountError(Options, "connection");
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            activity?.Dispose();
            throw;
        }
    }

    async Task RunAsync()
    {
        var stopping = _disposed.Token;
        var backoff = s_initialBackoff;
        while (!stopping.IsCancellationRequested)
        {
            RedisSession? session = null;
            try
            {
                using (var timeout = new CancellationTokenSource(Options.ConnectTimeout, _time))
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token))
                {
                    session = await RedisSession.ConnectAsync(Options, _time, _onPush, linked.Token);
                }
                using var closeOnDispose = stopping.Register(
                    static state => ((RedisSession)state!).Close(new RedisConnectionException("The Redis connection was disposed.")), session);
                SetState(session, null);
                backoff = s_initialBackoff;
                _logger.LogInformation("Connected to Redis at {Endpoint}", Options.Endpoint);
                if (_onConnected is not null)
                {
                    await _onConnected(stopping);
                }
                var reason = await session.Completion;
                SetState(null, null); // retry at once: most drops are blips
                if (!stopping.IsCancellationRequested)
                {
                    _logger.LogWarning(reason, "Lost the connection to Redis at {Endpoint}; reconnecting", Options.Endpoint);
                }
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                session?.Close(ex);
                var error = ex is OperationCanceledException ? new TimeoutException($"Connecting took longer than {Options.ConnectTimeout.TotalMilliseconds:0} ms.", ex) : ex;
                _logger.Log(_connectError is null ? LogLevel.Warning : LogLevel.Debug, error,
                    "Could not connect to Redis at {Endpoint}; retrying in {Backoff}", Options.Endpoint, backoff);
                SetState(null, error);
                // Jitter spreads the reconnects of many replicas after a shared outage.
                await Task.Delay(backoff * (0.8 + 0.4 * Random.Shared.NextDouble()), _time, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, s_maxBackoff.Ticks));
            }
        }
    }

    void SetState(RedisSession? session, Exception? connectError)
    {
        Volatile.Write(ref _session, session);
        Volatile.Write(ref _connectError, connectError);
        Interlocked.Exchange(ref _stateChanged, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    void ExpireCommands()
        => Volatile.Read(ref _session)?.ExpireOlderThan(_time.GetTimestamp() - (long)(Options.CommandTimeout.TotalSeconds * _time.TimestampFrequency));

    RedisSubscriber Subscriber
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
            lock (_gate)
            {
                return _subscriber ??= new RedisSubscriber(Options, _logger, _time);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }
        _disposed.Cancel();
        await _timeouts.DisposeAsync();
        await _run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        SetState(null, null); // wakes waiting commands, which then see the disposal
        if (_subscriber is not null)
        {
            await _subscriber.DisposeAsync();
        }
    }
}
