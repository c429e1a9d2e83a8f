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
/// recording what the hub pushes. Messages are kept as the JSON the hub sent; read ids with <see cref="ChatEvents.Id"/>.
/// </summary>
public sealed class ChatHubClient : IAsyncDisposable
{
    static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(30);

    readonly HubConnection _connection;
    readonly Channel<JsonObject> _pushed = Channel.CreateUnbounded<JsonObject>();
    readonly List<JsonObject> _unclaimed = [];
    readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _nextCommand;

    ChatHubClient(Uri hub, string token)
    {
        // No negotiation, as in the browser client: the edge sees only the orchestrator's round-robin proxy in front of
        // Chat's replicas (service discovery names one address), so a negotiate and its WebSocket could reach two replicas.
        _connection = new HubConnectionBuilder()
            .WithUrl(hub, HttpTransportType.WebSockets, o =>
            {
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        _connection.On<JsonObject>("message", message => _pushed.Writer.TryWrite(message));
        _connection.Closed += _ =>
        {
            _closed.TrySetResult();
            return Task.CompletedTask;
        };
    }

    /// <summary>Connects to <paramref name="hub"/> (e.g. http://web/hubs/chat) with the token, or reports why it could not.</summary>
    public static async Task<(ChatHubClient Client, string? Failure)> TryConnectAsync(Uri hub, string token)
    {
        var client = new ChatHubClient(hub, token);
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

    public static async Task<ChatHubClient> ConnectAsync(Uri hub, string token)
    {
        var (client, failure) = await TryConnectAsync(hub, token);
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

public static class ChatEvents
{
    public static string? Event(this JsonObject e) => e["event"]?.ToString();

    /// <summary>A 64-bit id or time, whether the JSON holds it as a number or as a string.</summary>
    public static long Id(this JsonNode node, string field) =>
        node[field]!.GetValueKind() == JsonValueKind.String ? long.Parse(node[field]!.GetValue<string>()) : node[field]!.GetValue<long>();
}
