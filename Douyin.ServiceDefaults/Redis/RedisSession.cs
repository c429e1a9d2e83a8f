using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>
/// One TCP connection. Callers serialize commands into an in-memory pipe under a short lock (never held
/// across an await) and queue their completion in the same order; a pump batches the pipe into the socket
/// and the read loop completes callers in FIFO order, which is how RESP matches replies to commands.
/// </summary>
sealed class RedisSession
{
    readonly record struct Pending(TaskCompletionSource<RedisValue> Completion, string Command, long Timestamp, Activity? Activity, CancellationTokenRegistration Registration);

    readonly RedisOptions _options;
    readonly TimeProvider _time;
    readonly Socket _socket;
    readonly Stream _stream;
    readonly Func<RedisValue, bool>? _onPush;
    // pauseWriterThreshold 0: FlushAsync never waits, so callers can commit under the lock; a stalled socket
    // surfaces as command timeouts rather than as blocked callers.
    readonly Pipe _outbound = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    readonly Queue<Pending> _pending = new();
    readonly Lock _gate = new();
    bool _closed;

    RedisSession(RedisOptions options, TimeProvider time, Socket socket, Stream stream, Func<RedisValue, bool>? onPush)
    {
        (_options, _time, _socket, _stream, _onPush) = (options, time, socket, stream, onPush);
        Completion = RunAsync();
    }

    /// <summary>Completes with the reason once the connection is gone; every pending command has failed by then.</summary>
    public Task<Exception> Completion { get; }

    public static async Task<RedisSession> ConnectAsync(RedisOptions options, TimeProvider time, Func<RedisValue, bool>? onPush, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Detect a peer that vanished without closing (node loss, NAT expiry) within about a minute.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, 30);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, 5);
            await socket.ConnectAsync(new DnsEndPoint(options.Host, options.Port), cancellationToken);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (options.Ssl)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = options.Host }, cancellationToken);
                stream = ssl;
            }
            var session = new RedisSession(options, time, socket, stream, onPush);
            try
            {
                await session.HandshakeAsync(cancellationToken);
                return session;
            }
            catch (Exception ex)
            {
                session.Close(ex);
                throw;
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_options.Password is { } password)
            {
                await (_options.User is { } user ? Send("AUTH", [user, password], cancellationToken) : Send("AUTH", [password], cancellationToken));
            }
        }
        catch (RedisServerException ex)
        {
            throw new RedisConnectionException($"Authentication to Redis at {_options.Endpoint} failed: {ex.Message}", ex);
        }
        if (_options.Database != 0)
        {
            await Send("SELECT", [_options.Database], cancellationToken);
        }
        if (_options.ClientName is { } name)
        {
            await Send("CLIENT", ["SETNAME", name], cancellationToken);
        }
    }

    Task<RedisValue> Send(string command, ReadOnlySpan<RedisArg> args, CancellationToken cancellationToken)
        => TrySend(command, args, null, cancellationToken, out var task) ? task : throw new RedisConnectionException("The connection closed during the handshake.");

    /// <summary>Queues the command; false if this session has closed (the caller then waits for the next one).</summary>
    public bool TrySend(string command, ReadOnlySpan<RedisArg> args, Activity? activity, CancellationToken cancellationToken, out Task<RedisValue> task)
    {
        var completion = new TaskCompletionSource<RedisValue>(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<RedisValue>)state!).TrySetCanceled(token), completion)
            : default;
        // Encoded before taking the lock, which then covers only a copy and the enqueue: every request of the process
        // sends through this one connection, and encoding under the lock made callers queue on it.
        var encoded = t_encoder ??= new ArrayBufferWriter<byte>(256);
        Resp.WriteCommand(encoded, command, args);
        lock (_gate)
        {
            if (_closed)
            {
                registration.Dispose();
                ResetEncoder(encoded);
                task = null!;
                return false;
            }
            _outbound.Writer.Write(encoded.WrittenSpan);
            _pending.Enqueue(new(completion, command, _time.GetTimestamp(), activity, registration));
            var flush = _outbound.Writer.FlushAsync();
            Debug.Assert(flush.IsCompleted, "An unpaused pipe flushes synchronously.");
        }
        ResetEncoder(encoded);
        if (!_options.DisableMetrics && RedisTelemetry.Commands.Enabled)
        {
            RedisTelemetry.Commands.Add(1, new KeyValuePair<string, object?>("db.operation.name", command));
        }
        task = completion.Task;
        return true;
    }

    /// <summary>Fails commands older than the timeout. They stay queued: their late replies must still be consumed in order.</summary>
    [ThreadStatic]
    static ArrayBufferWriter<byte>? t_encoder;

    static void ResetEncoder(ArrayBufferWriter<byte> encoded)
    {
        encoded.ResetWrittenCount();
        if (encoded.Capacity > 64 * 1024)
        {
            t_encoder = null; // one large command (a big SADD) does not pin its buffer on the thread for good
        }
    }

    public void ExpireOlderThan(long timestamp)
    {
        lock (_gate)
        {
            foreach (var pending in _pending)
            {
                if (pending.Timestamp > timestamp)
                {
                    break;
                }
                if (pending.Completion.TrySetException(new RedisTimeoutException(
                    $"Redis did not answer {pending.Command} within {_options.CommandTimeout.TotalMilliseconds:0} ms ({_pending.Count} commands in flight to {_options.Endpoint}).")))
                {
                    RedisTelemetry.CountError(_options, "timeout");
                }
            }
        }
    }

    public void Close(Exception reason)
    {
        Pending[] failed;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            _outbound.Writer.Complete();
            failed = [.. _pending];
            _pending.Clear();
        }
        _socket.Dispose();
        foreach (var pending in failed)
        {
            Complete(pending, default, reason as RedisConnectionException
                ?? new RedisConnectionException($"The connection to Redis at {_options.Endpoint} was lost: {reason.Message}", reason));
        }
    }

    async Task<Exception> RunAsync()
    {
        var read = ReadLoopAsync();
        var write = WriteLoopAsync();
        var reason = await await Task.WhenAny(read, write);
        Close(reason);
        await Task.WhenAll(read, write);
        await _stream.DisposeAsync();
        return reason;
    }

    async Task<Exception> WriteLoopAsync()
    {
        await Task.Yield(); // don't run the loop on the constructor's stack
        var reader = _outbound.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                foreach (var segment in result.Buffer)
                {
                    await _stream.WriteAsync(segment);
                }
                await _stream.FlushAsync();
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return new RedisConnectionException("The connection was closed.");
                }
            }
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    async Task<Exception> ReadLoopAsync()
    {
        await Task.Yield();
        var input = PipeReader.Create(_stream, new StreamPipeReaderOptions(leaveOpen: true));
        var replies = new List<RedisValue>();
        var waiting = new List<Pending>();
        try
        {
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                while (Resp.TryRead(ref buffer, out var reply))
                {
                    if (_onPush?.Invoke(reply) != true)
                    {
                        replies.Add(reply);
                    }
                }
                DispatchAll(replies, waiting);
                replies.Clear();
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return new RedisConnectionException($"Redis at {_options.Endpoint} closed the connection.");
                }
            }
        }
        catch (Exception ex)
        {
            return ex;
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>Completes the commands the replies of one read answer, taking the lock once for all of them.</summary>
    void DispatchAll(List<RedisValue> replies, List<Pending> waiting)
    {
        if (replies.Count == 0)
        {
            return;
        }
        lock (_gate)
        {
            while (waiting.Count < replies.Count && _pending.TryDequeue(out var pending))
            {
                waiting.Add(pending);
            }
        }
        for (var i = 0; i < waiting.Count; i++)
        {
            Complete(waiting[i], replies[i], replies[i].IsError ? new RedisServerException(replies[i].ToString()!) : null);
        }
        if (waiting.Count < replies.Count)
        {
            throw new RedisConnectionException("Protocol error: a reply arrived with no command waiting for it.");
        }
        waiting.Clear();
    }

    void Complete(in Pending pending, RedisValue reply, Exception? error)
    {
        pending.Registration.Dispose();
        // Telemetry first, so the span has ended by the time the caller resumes.
        if (!_options.DisableMetrics && RedisTelemetry.Duration.Enabled)
        {
            RedisTelemetry.Duration.Record(_time.GetElapsedTime(pending.Timestamp).TotalSeconds, new KeyValuePair<string, object?>("db.operation.name", pending.Command));
        }
        if (pending.Activity is { } activity)
        {
            if ((error ?? pending.Completion.Task.Exception?.InnerException) is { } failure) // the latter: timed out earlier
            {
                activity.SetStatus(ActivityStatusCode.Error, failure.Message);
            }
            activity.Dispose();
        }
        var completed = error is null ? pending.Completion.TrySetResult(reply) : pending.Completion.TrySetException(error);
        if (completed && error is not null)
        {
            RedisTelemetry.CountError(_options, error is RedisServerException ? "server" : "connection");
        }
    }
}
