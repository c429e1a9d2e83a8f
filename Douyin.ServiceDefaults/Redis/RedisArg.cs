using System.Buffers;
using System.Globalization;
using System.Text;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>A command argument; converts implicitly from string, numbers and bytes, and is written
/// straight into the outgoing pipe without an intermediate buffer.</summary>
public readonly struct RedisArg
{
    enum Kind : byte { Text, Bytes, Integer, Double }

    readonly string? _text;
    readonly ReadOnlyMemory<byte> _bytes;
    readonly long _integer;
    readonly double _double;
    readonly Kind _kind;

    RedisArg(Kind kind, string? text = null, ReadOnlyMemory<byte> bytes = default, long integer = 0, double number = 0)
        => (_kind, _text, _bytes, _integer, _double) = (kind, text, bytes, integer, number);

    public static implicit operator RedisArg(string value) => new(Kind.Text, text: value ?? throw new ArgumentNullException(nameof(value)));
    public static implicit operator RedisArg(byte[] value) => new(Kind.Bytes, bytes: value ?? throw new ArgumentNullException(nameof(value)));
    public static implicit operator RedisArg(ReadOnlyMemory<byte> value) => new(Kind.Bytes, bytes: value);
    public static implicit operator RedisArg(long value) => new(Kind.Integer, integer: value);
    public static implicit operator RedisArg(double value) => new(Kind.Double, number: value);

    public override string ToString() => _kind switch
    {
        Kind.Text => _text!,
        Kind.Bytes => Encoding.UTF8.GetString(_bytes.Span),
        Kind.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        _ => FormatDouble(_double),
    };

    /// <summary>Writes the argument as a RESP bulk string: <c>$len\r\npayload\r\n</c>.</summary>
    internal void WriteTo(IBufferWriter<byte> writer)
    {
        switch (_kind)
        {
            case Kind.Text:
                Resp.WriteHeader(writer, (byte)'$', Encoding.UTF8.GetByteCount(_text!));
                Encoding.UTF8.GetBytes(_text, writer);
                break;
            case Kind.Bytes:
                Resp.WriteHeader(writer, (byte)'$', _bytes.Length);
                writer.Write(_bytes.Span);
                break;
            default:
                Span<byte> digits = stackalloc byte[32];
                var length = _kind == Kind.Integer
                    ? (_integer.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture) ? n : 0)
                    : Encoding.ASCII.GetBytes(FormatDouble(_double), digits);
                Resp.WriteHeader(writer, (byte)'$', length);
                writer.Write(digits[..length]);
                break;
        }
        writer.Write("\r\n"u8);
    }

    // Redis spells infinities "+inf"/"-inf"; "R" round-trips every other double.
    static string FormatDouble(double value) => double.IsInfinity(value)
        ? (value > 0 ? "+inf" : "-inf")
        : value.ToString("R", CultureInfo.InvariantCulture);
}
