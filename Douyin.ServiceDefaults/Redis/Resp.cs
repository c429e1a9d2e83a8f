using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>RESP2 framing: commands out, replies in.</summary>
static class Resp
{
    public static void WriteCommand(IBufferWriter<byte> writer, string command, ReadOnlySpan<RedisArg> args)
    {
        WriteHeader(writer, (byte)'*', args.Length + 1);
        ((RedisArg)command).WriteTo(writer);
        foreach (ref readonly var arg in args)
        {
            arg.WriteTo(writer);
        }
    }

    public static void WriteHeader(IBufferWriter<byte> writer, byte prefix, long length)
    {
        var span = writer.GetSpan(24);
        span[0] = prefix;
        Utf8Formatter.TryFormat(length, span[1..], out var written);
        "\r\n"u8.CopyTo(span[(1 + written)..]);
        writer.Advance(written + 3);
    }

    /// <summary>Reads one complete reply and slices it off <paramref name="buffer"/>; false if more bytes are needed.</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out RedisValue value)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!TryRead(ref reader, out value))
        {
            return false;
        }
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    static bool TryRead(ref SequenceReader<byte> reader, out RedisValue value)
    {
        value = default;
        if (!reader.TryRead(out var prefix) || !reader.TryReadTo(out ReadOnlySequence<byte> line, "\r\n"u8))
        {
            return false;
        }
        switch (prefix)
        {
            case (byte)'+':
                value = RedisValue.Simple(line.IsSingleSegment && line.FirstSpan.SequenceEqual("OK"u8) ? "OK" : Encoding.UTF8.GetString(line));
                return true;
            case (byte)'-':
                value = RedisValue.Error(Encoding.UTF8.GetString(line));
                return true;
            case (byte)':':
                value = RedisValue.Integer(ParseInteger(line));
                return true;
            case (byte)'$':
                var length = ParseInteger(line);
                if (length < 0)
                {
                    return true;
                }
                if (reader.Remaining < length + 2)
                {
                    return false;
                }
                value = RedisValue.Bulk(length == 0 ? [] : reader.UnreadSequence.Slice(0, length).ToArray());
                reader.Advance(length + 2);
                return true;
            case (byte)'*':
                var count = ParseInteger(line);
                if (count < 0)
                {
                    return true;
                }
                var items = count == 0 ? [] : new RedisValue[count];
                for (var i = 0; i < items.Length; i++)
                {
                    if (!TryRead(ref reader, out items[i]))
                    {
                        return false;
                    }
                }
                value = RedisValue.Array(items);
                return true;
            default:
                throw new RedisConnectionException($"Protocol error: unexpected reply prefix 0x{prefix:x2}.");
        }
    }

    static long ParseInteger(in ReadOnlySequence<byte> line)
    {
        Span<byte> copy = stackalloc byte[24];
        var span = line.IsSingleSegment ? line.FirstSpan : copy[..(int)Math.Min(line.Length, copy.Length)];
        if (!line.IsSingleSegment)
        {
            line.Slice(0, span.Length).CopyTo(copy);
        }
        return Utf8Parser.TryParse(span, out long value, out var consumed) && consumed == span.Length
            ? value
            : throw new RedisConnectionException("Protocol error: malformed integer.");
    }
}
