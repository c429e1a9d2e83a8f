using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Douyin.IntegrationTests.Chat;

/// <summary>
/// One real SignalR connection: chat-client.cjs running the official JavaScript client (@microsoft/signalr, the .NET
/// client is not in our registry) under node, commanded over stdin and reporting every event as a JSON line.
/// Ids arrive as strings (64-bit ids exceed JavaScript's numbers); read them with <see cref="Id"/>.
/// </summary>
public sealed class ChatHubClient : IAsyncDisposable
{
    static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(30);

    readonly Process _node;
    readonly Channel<JsonObject> _events = Channel.CreateUnbounded<JsonObject>();
    readonly List<JsonObject> _unclaimed = [];
    readonly Task _reading;
    int _nextCommand;

    ChatHubClient(Process node)
    {
        _node = node;
        _reading = ReadEventsAsync();
    }

    /// <summary>Connects to <paramref name="hub"/> (e.g. http://web/hubs/chat) with the token, or reports why it could not.</summary>
    public static async Task<(ChatHubClient Client, string? Failure)> TryConnectAsync(Uri hub, string token)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Chat", "chat-client.cjs"));
        start.ArgumentList.Add(hub.ToString());
        start.ArgumentList.Add(token);
        var client = new ChatHubClient(Process.Start(start)!);
        client._node.ErrorDataReceived += (_, _) => { }; // the client logs warnings there; keep the pipe drained
        client._node.BeginErrorReadLine();

        var outcome = await client.NextAsync(e => e.Event() is "connected" or "failed" or "closed", s_connectTimeout, "the connection to open");
        return (client, outcome.Event() == "connected" ? null : outcome["error"]?.ToString() ?? outcome.Event());
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

    /// <summary>Invokes the hub's SendMessage; the result event carries the stored message, the error event the refusal.</summary>
    public async Task<JsonObject> InvokeSendAsync(long toUserId, string content)
    {
        var id = Interlocked.Increment(ref _nextCommand);
        var command = new JsonObject { ["id"] = id, ["to_user_id"] = toUserId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["content"] = content };
        await _node.StandardInput.WriteLineAsync(command.ToJsonString());
        await _node.StandardInput.FlushAsync();
        return await NextAsync(e => e.Event() is "result" or "error" && (int)e["id"]! == id, s_connectTimeout, $"the answer to SendMessage #{id}");
    }

    /// <summary>The pushed message with this content, waiting at most <paramref name="within"/>.</summary>
    public async Task<JsonObject> ReceiveAsync(string content, TimeSpan within) =>
        (await NextAsync(e => e.Event() == "message" && e["message"]!["content"]!.ToString() == content, within, $"message \"{content}\""))["message"]!.AsObject();

    /// <summary>The server's close of the connection, waiting at most <paramref name="within"/>.</summary>
    public Task<JsonObject> ClosedAsync(TimeSpan within) => NextAsync(e => e.Event() == "closed", within, "the connection to close");

    /// <summary>Every message pushed so far and not yet claimed by <see cref="ReceiveAsync"/>.</summary>
    public IReadOnlyList<JsonObject> Unclaimed
    {
        get
        {
            lock (_unclaimed)
            {
                while (_events.Reader.TryRead(out var e))
                {
                    _unclaimed.Add(e);
                }
                return [.. _unclaimed.Where(e => e.Event() == "message").Select(e => e["message"]!.AsObject())];
            }
        }
    }

    /// <summary>The first event (seen earlier or arriving before the deadline) that matches; others stay for later waits.</summary>
    async Task<JsonObject> NextAsync(Func<JsonObject, bool> match, TimeSpan within, string what)
    {
        using var deadline = new CancellationTokenSource(within);
        lock (_unclaimed)
        {
            while (_events.Reader.TryRead(out var e))
            {
                _unclaimed.Add(e);
            }
            if (_unclaimed.FirstOrDefault(match) is { } earlier)
            {
                _unclaimed.Remove(earlier);
                return earlier;
            }
        }
        try
        {
            while (true)
            {
                var e = await _events.Reader.ReadAsync(deadline.Token);
                if (match(e))
                {
                    return e;
                }
                lock (_unclaimed)
                {
                    _unclaimed.Add(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {what} within {within.TotalSeconds} s.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The SignalR client exited while waiting for {what}.");
        }
    }

    async Task ReadEventsAsync()
    {
        while (await _node.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('{'))
            {
                _events.Writer.TryWrite(JsonNode.Parse(line)!.AsObject());
            }
        }
        _events.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            _node.StandardInput.Close(); // the script stops its connection and exits
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _node.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _node.Kill();
            }
        }
        await _reading;
        _node.Dispose();
    }
}

public static class ChatEvents
{
    public static string? Event(this JsonObject e) => e["event"]?.ToString();

    /// <summary>A 64-bit id or time, whether the JSON holds it as a number or (from JavaScript) as a string.</summary>
    public static long Id(this JsonNode node, string field) =>
        node[field]!.GetValueKind() == JsonValueKind.String ? long.Parse(node[field]!.GetValue<string>()) : node[field]!.GetValue<long>();
}
