using System.Globalization;
using System.Text;

namespace Douyin.ServiceDefaults.Redis;

public enum RedisType { Null, Integer, SimpleString, BulkString, Array, Error }

/// <summary>
/// One RESP2 reply. Top-level error replies are raised as <see cref="RedisServerException"/>;
/// <see cref="RedisType.Error"/> only appears nested inside arrays (EXEC, scripts).
/// </summary>
public readonly struct RedisValue
{
    readonly object? _value; // string (simple/error), byte[] (bulk) or RedisValue[] (array)
    readonly long _integer;

    RedisValue(RedisType type, object? value, long integer = 0) => (Type, _value, _integer) = (type, value, integer);

    public static RedisValue Null => default;
    public static RedisValue Integer(long value) => new(RedisType.Integer, null, value);
    public static RedisValue Simple(string value) => new(RedisType.SimpleString, value);
    public static RedisValue Error(string message) => new(RedisType.Error, message);
    public static RedisValue Bulk(byte[] value) => new(RedisType.BulkString, value);
    public static RedisValue Array(RedisValue[] items) => new(RedisType.Array, items);

    public RedisType Type { get; }
    public bool IsNull => Type == RedisType.Null;
    public bool IsError => Type == RedisType.Error;

    /// <summary>Items of an array reply; empty for null. Throws for other types.</summary>
    public RedisValue[] Items => Type switch
    {
        RedisType.Array => (RedisValue[])_value!,
        RedisType.Null => [],
        _ => throw Invalid("an array"),
    };

    public int Length => Items.Length;
    public RedisValue this[int index] => Items[index];

    public override string? ToString() => Type switch
    {
        RedisType.Null => null,
        RedisType.Integer => _integer.ToString(CultureInfo.InvariantCulture),
        RedisType.BulkString => Encoding.UTF8.GetString((byte[])_value!),
        RedisType.Array => $"[{string.Join(", ", Items)}]",
        _ => (string)_value!,
    };

    public string?[] ToStringArray() => System.Array.ConvertAll(Items, static v => v.ToString());

    public static explicit operator string?(RedisValue value) => value.ToString();

    public static explicit operator byte[]?(RedisValue value) => value.Type switch
    {
        RedisType.Null => null,
        RedisType.BulkString => (byte[])value._value!,
        _ => Encoding.UTF8.GetBytes(value.ToString()!),
    };

    public static explicit operator long?(RedisValue value) => value.Type switch
    {
        RedisType.Null => null,
        RedisType.Integer => value._integer,
        RedisType.BulkString or RedisType.SimpleString when long.TryParse(value.ToString(), CultureInfo.InvariantCulture, out var n) => n,
        _ => throw value.Invalid("an integer"),
    };

    public static explicit operator long(RedisValue value) => (long?)value ?? throw value.Invalid("an integer");

    public static explicit operator double?(RedisValue value) => value.Type switch
    {
        RedisType.Null => null,
        RedisType.Integer => value._integer,
        RedisType.BulkString or RedisType.SimpleString => ParseDouble(value.ToString()!) ?? throw value.Invalid("a number"),
        _ => throw value.Invalid("a number"),
    };

    public static explicit operator double(RedisValue value) => (double?)value ?? throw value.Invalid("a number");

    /// <summary>1 and OK are true; 0 and null (e.g. SET NX that did not set) are false.</summary>
    public static explicit operator bool(RedisValue value) => value.Type switch
    {
        RedisType.Null => false,
        RedisType.Integer => value._integer != 0,
        RedisType.SimpleString => (string)value._value! == "OK",
        RedisType.BulkString => (long)value != 0,
        _ => throw value.Invalid("a boolean"),
    };

    static double? ParseDouble(string s) => s switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null,
    };

    InvalidCastException Invalid(string target) => new($"Cannot convert the Redis {Type} reply '{this}' to {target}.");
}
