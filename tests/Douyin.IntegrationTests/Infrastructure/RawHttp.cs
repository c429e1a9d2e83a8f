using System.Net.Sockets;
using System.Text;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>
/// HTTP/1.1 over a bare socket: the request target goes on the wire byte for byte as written. HttpClient cannot send
/// every spelling (System.Uri resolves dot segments, turns '\' into '/' and unescapes some percent-encodings).
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value.Split(';')[0].Trim() : null;
    }

    /// <summary>Sends <paramref name="target"/> exactly (one byte per char, so only ASCII or deliberate Latin-1), on a connection of its own.</summary>
    public static async Task<Response> SendAsync(
        Uri server, string method, string target, string? jsonBody = null, IEnumerable<(string Name, string Value)>? headers = null,
        CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cancellationToken);
        await using var stream = client.GetStream();
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n");
        if (jsonBody is not null)
        {
            head.Append($"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n");
        }
        foreach (var (name, value) in headers ?? [])
        {
            head.Append($"{name}: {value}\r\n");
        }
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head.ToString()), cancellationToken);
        await stream.WriteAsync(body, cancellationToken);

        using var received = new MemoryStream();
        await stream.CopyToAsync(received, cancellationToken);
        return Parse(received.ToArray());
    }

    static Response Parse(byte[] message)
    {
        var text = Encoding.Latin1.GetString(message);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
        {
            throw new InvalidDataException($"No complete response head in {message.Length} bytes: {text}");
        }
        var lines = text[..end].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            headers[line[..colon]] = headers.TryGetValue(line[..colon], out var earlier) ? $"{earlier}, {line[(colon + 1)..].Trim()}" : line[(colon + 1)..].Trim();
        }
        var body = message.AsSpan(Encoding.Latin1.GetByteCount(text[..(end + 4)]));
        var content = headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase)
            ? Dechunk(body)
            : body.ToArray();
        return new Response(status, headers, Encoding.UTF8.GetString(content));
    }

    static byte[] Dechunk(ReadOnlySpan<byte> chunked)
    {
        var content = new List<byte>();
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked[..lineEnd]).Split(';')[0], 16);
            if (size == 0)
            {
                return [.. content];
            }
            content.AddRange(chunked.Slice(lineEnd + 2, size));
            chunked = chunked[(lineEnd + 2 + size + 2)..];
        }
    }
}
