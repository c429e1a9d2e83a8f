using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Douyin.IntegrationTests.Videos;

/// <summary>
/// A publish request written by hand on a socket, as a slow or hostile client sends it: it declares a large body,
/// sends the first parts, then trickles the file (fast enough for Kestrel's minimum data rate) until disposed. So a
/// test can see whether the answer arrives before the body does, and hold an upload slot open.
/// </summary>
public sealed class StalledUpload : IAsyncDisposable
{
    const string Boundary = "stalled-upload-boundary";
    readonly TcpClient _tcp;
    readonly NetworkStream _stream;
    readonly CancellationTokenSource _stop = new();
    readonly Task _trickle;

    StalledUpload(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _trickle = TrickleAsync();
    }

    /// <param name="token">Sent as a part before the file, unless null; <paramref name="query"/> goes in the URL.</param>
    /// <param name="fileBytes">Bytes of the file sent at once, before the trickle.</param>
    public static async Task<StalledUpload> StartAsync(Uri web, string? token, int fileBytes = 64 * 1024, string query = "")
    {
        var host = web.Host == "localhost" ? "127.0.0.1" : web.Host.Trim('[', ']');
        var tcp = new TcpClient(host == "::1" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
        await tcp.ConnectAsync(host, web.Port);
        var head = new StringBuilder()
            .Append($"POST /douyin/publish/action/{query} HTTP/1.1\r\nHost: {web.Authority}\r\n")
            .Append($"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {150L * 1024 * 1024}\r\n\r\n");
        if (token is not null)
        {
            head.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n{token}\r\n");
        }
        head.Append($"--{Boundary}\r\nContent-Disposition: form-data; name=\"data\"; filename=\"clip.mp4\"\r\nContent-Type: video/mp4\r\n\r\n");
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(new byte[fileBytes]);
        await stream.FlushAsync();
        return new StalledUpload(tcp);
    }

    /// <summary>The envelope the server answered with, or null if none came within <paramref name="timeout"/>.</summary>
    public async Task<JsonObject?> ReadReplyAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer, cancel.Token);
                if (read == 0)
                {
                    break;
                }
                received.Append(Encoding.UTF8.GetString(buffer, 0, read));
                // The body may be chunked: the envelope is everything from the first '{' to the last '}'.
                var text = received.ToString();
                var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0 ? text[end..] : "";
                if (body.IndexOf('{') is var open and >= 0 && body.LastIndexOf('}') is var close and > 0
                    && JsonTryParse(body[open..(close + 1)]) is { } reply)
                {
                    Assert.StartsWith("HTTP/1.1 200", text);
                    return reply;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
        }
        return null;
    }

    static JsonObject? JsonTryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    async Task TrickleAsync()
    {
        var chunk = new byte[4096];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _stop.Token);
                await _stream.WriteAsync(chunk, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Stopped, or the server closed the connection after answering.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _trickle;
        _tcp.Dispose();
        _stop.Dispose();
    }
}
