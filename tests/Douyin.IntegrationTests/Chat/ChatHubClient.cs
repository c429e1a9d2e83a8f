using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Douyin.IntegrationTests.Chat;

/// <summary>
/// One real SignalR connection (Microsoft.AspNetCore.SignalR.Client over WebSockets, the token as a bearer header),
/// recording what the hub pushes; optionally reconnecting (WithAutomaticReconnect) when it loses the connection.
/// Messages are kept as the JSON the hub sent; read ids with <see cref="ChatEvents.Id"/>.
/// </summary>
public sealed class ChatHubClient : IAsyncDisposable
{
    static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(30);

    readonly HubConnection _connection;
    readonly Channel<JsonObject> _pushed = Channel.CreateUnbounded<JsonObject>();
    readonly List<JsonObject> _unclaimed = [];
    readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Changes _changes = new();
    int _nextCommand;
    int _reconnections;
    int _reconnected;

    ChatHubClient(Uri hub, string token, bool reconnect)
    {
        // No negotiation, as in the browser client: one request, so nothing depends on two requests reaching one replica.
        var builder = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            });
        if (reconnect)
        {
            builder.WithAutomaticReconnect(ReconnectPolicy);
        }
        _connection = builder.Build();
        _connection.On<JsonObject>("message", message =>
        {
            _pushed.Writer.TryWrite(message);
            Pushed?.Invoke(message);
        });
        _connection.Reconnecting += _ =>
        {
            Interlocked.Increment(ref _reconnections);
            _changes.Notify();
            return Task.CompletedTask;
        };
        _connection.Reconnected += _ =>
        {
            Interlocked.Increment(ref _reconnected);
            _changes.Notify();
            return OnReconnected?.Invoke() ?? Task.CompletedTask;
        };
        _connection.Closed += _ =>
        {
            _closed.TrySetResult();
            _changes.Notify();
            return Task.CompletedTask;
        };
    }

    /// <summary>Its backoff when it reconnects (<see cref="ConnectAsync"/> with <c>reconnect</c>).</summary>
    public ChatReconnectPolicy ReconnectPolicy { get; } = new();

    /// <summary>Each message the hub pushes, as it arrives (after it is recorded for <see cref="ReceiveAsync"/>).</summary>
    public event Action<JsonObject>? Pushed;

    /// <summary>The connection is back after a loss: what a client does then, e.g. catch up from history.</summary>
    public event Func<Task>? OnReconnected;

    /// <summary>How many times the connection was lost and the client started reconnecting.</summary>
    public int Reconnections => Volatile.Read(ref _reconnections);

    /// <summary>How many of those reconnects succeeded.</summary>
    public int Reconnected => Volatile.Read(ref _reconnected);

    public HubConnectionState State => _connection.State;

    /// <summary>Waits until the connection's state (<see cref="Reconnections"/>, <see cref="State"/>...) meets the condition.</summary>
    public Task WaitUntilAsync(Func<ChatHubClient, bool> condition, TimeSpan within, string what) =>
        _changes.WaitUntilAsync(() => condition(this), within, what);

    /// <summary>
    /// Connects to <paramref name="hub"/> (e.g. http://web/hubs/chat) with the token, or reports why it could not. With
    /// <paramref name="reconnect"/>, a lost connection is opened again with <see cref="ChatReconnectPolicy"/>'s backoff.
    /// </summary>
    public static async Task<(ChatHubClient Client, string? Failure)> TryConnectAsync(Uri hub, string token, bool reconnect = false)
    {
        var client = new ChatHubClient(hub, token, reconnect);
        using var timeout = new CancellationTokenSource(s_connectTimeout);
        try
        {
            await client._connection.StartAsync(timeout.Token);
            return (client, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or WebSocketException or OperationCanceledException)
        {
            return (client, ex.Message);
        }
    }

    public static async Task<ChatHubClient> ConnectAsync(Uri hub, string token, bool reconnect = false)
    {
        var (client, failure) = await TryConnectAsync(hub, token, reconnect);
        if (failure is not null)
        {
            await client.DisposeAsync();
            Assert.Fail($"Could not connect to {hub}: {failure}");
        }
        return client;
    }

    /// <summary>
    /// Invokes the hub's SendMessage: <c>{"event":"result","id":n,"message":{...}}</c> with the stored message, or
    /// <c>{"event":"error","id":n,"error":"..."}</c> with the hub's refusal.
    /// </summary>
    public async Task<JsonObject> InvokeSendAsync(long toUserId, string content)
    {
        var id = Interlocked.Increment(ref _nextCommand);
        using var timeout = new CancellationTokenSource(s_connectTimeout);
        try
        {
            var message = await _connection.InvokeAsync<JsonObject>("SendMessage", toUserId, content, timeout.Token);
            return new JsonObject { ["event"] = "result", ["id"] = id, ["message"] = message };
        }
        catch (HubException ex)
        {
            return new JsonObject { ["event"] = "error", ["id"] = id, ["error"] = ex.Message };
        }
    }

    /// <summary>The pushed message with this content, waiting at most <paramref name="within"/>; others stay for later waits.</summary>
    public async Task<JsonObject> ReceiveAsync(string content, TimeSpan within)
    {
        bool Match(JsonObject message) => message["content"]?.ToString() == content;
        using var deadline = new CancellationTokenSource(within);
        lock (_unclaimed)
        {
            DrainPushed();
            if (_unclaimed.FirstOrDefault(Match) is { } earlier)
            {
                _unclaimed.Remove(earlier);
                return earlier;
            }
        }
        try
        {
            while (true)
            {
                var message = await _pushed.Reader.ReadAsync(deadline.Token);
                if (Match(message))
                {
                    return message;
                }
                lock (_unclaimed)
                {
                    _unclaimed.Add(message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message \"{content}\" within {within.TotalSeconds} s.");
        }
    }

    /// <summary>The server's close of the connection, waiting at most <paramref name="within"/>.</summary>
    public Task ClosedAsync(TimeSpan within) => _closed.Task.WaitAsync(within);

    /// <summary>Every message pushed so far and not yet claimed by <see cref="ReceiveAsync"/>.</summary>
    public IReadOnlyList<JsonObject> Unclaimed
    {
        get
        {
            lock (_unclaimed)
            {
                DrainPushed();
                return [.. _unclaimed];
            }
        }
    }

    void DrainPushed()
    {
        while (_pushed.Reader.TryRead(out var message))
        {
            _unclaimed.Add(message);
        }
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

/// <summary>
/// The chat clients' backoff, the browser client's too (ClientApp/src/chat-hub.ts): at once, then 1, 2, 5 and 10 s, then
/// every 30 s without giving up, each delay up to a fifth longer at random, so that the clients of a stopped replica
/// do not all arrive at the next one in the same instant.
/// </summary>
public sealed class ChatReconnectPolicy : IRetryPolicy
{
    static readonly TimeSpan[] s_delays = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];
    static readonly TimeSpan s_steady = TimeSpan.FromSeconds(30);

    int _failedAttempts;

    /// <summary>Reconnect attempts that failed (refused, or the replica gone), over every reconnect of the connection.</summary>
    public int FailedAttempts => Volatile.Read(ref _failedAttempts);

    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        if (retryContext.PreviousRetryCount > 0)
        {
            Interlocked.Increment(ref _failedAttempts);
        }
        var delay = retryContext.PreviousRetryCount < s_delays.Length ? s_delays[retryContext.PreviousRetryCount] : s_steady;
        return delay * (1 + Random.Shared.NextDouble() / 5);
    }
}

/// <summary>Lets a test wait for a condition on what event handlers change, woken by each change rather than polling.</summary>
public sealed class Changes
{
    TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Notify() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        using var deadline = new CancellationTokenSource(within);
        while (true)
        {
            var next = Volatile.Read(ref _next); // taken before the check, so a change in between is not missed
            if (condition())
            {
                return;
            }
            try
            {
                await next.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Not {what} within {within.TotalSeconds} s.");
            }
        }
    }
}

public static class ChatEvents
{
    public static string? Event(this JsonObject e) => e["event"]?.ToString();

    /// <summary>A 64-bit id or time, whether the JSON holds it as a number or as a string.</summary>
    public static long Id(this JsonNode node, string field) =>
        node[field]!.GetValueKind() == JsonValueKind.String ? long.Parse(node[field]!.GetValue<string>()) : node[field]!.GetValue<long>();
}
