using System.Globalization;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>Connection settings, parsed from the StackExchange.Redis configuration string that Aspire emits.</summary>
public sealed record RedisOptions
{
    public required string Host { get; init; }
    public int Port { get; init; } = 6379;
    public string? User { get; init; }
    public string? Password { get; init; }
    public bool Ssl { get; init; }
    public int Database { get; init; }
    public string? ClientName { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a command may wait for its reply, or for a connection, before it fails.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public bool DisableTracing { get; init; }
    public bool DisableMetrics { get; init; }

    public string Endpoint => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>
    /// Parses <c>host:port[,host2:port2],password=...,user=...,ssl=true,defaultDatabase=N,connectTimeout=ms,syncTimeout=ms,name=...</c>.
    /// Only the first endpoint is used; unknown keys (abortConnect, ...) are ignored.
    /// </summary>
    public static RedisOptions Parse(string configuration)
    {
        string? endpoint = null;
        var options = new RedisOptions { Host = "" };
        bool? ssl = null;
        foreach (var part in configuration.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq < 0)
            {
                endpoint ??= part;
                continue;
            }
            var value = part[(eq + 1)..].Trim();
            options = part[..eq].Trim().ToLowerInvariant() switch
            {
                "password" => options with { Password = value },
                "user" => options with { User = value },
                "ssl" => options with { Ssl = (ssl = bool.Parse(value)).Value },
                "defaultdatabase" => options with { Database = int.Parse(value, CultureInfo.InvariantCulture) },
                "connecttimeout" => options with { ConnectTimeout = Milliseconds(value) },
                "synctimeout" or "asynctimeout" => options with { CommandTimeout = Milliseconds(value) },
                "name" => options with { ClientName = value },
                _ => options,
            };
        }
        if (string.IsNullOrEmpty(endpoint))
        {
            throw new ArgumentException("The Redis configuration string has no endpoint.", nameof(configuration));
        }

        // Tolerate the URI forms too: redis://host:port and rediss://host:port (TLS).
        if (endpoint.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
        {
            ssl ??= true;
        }
        endpoint = endpoint[(endpoint.IndexOf("://", StringComparison.Ordinal) is var s and >= 0 ? s + 3 : 0)..].TrimEnd('/');
        var colon = endpoint.LastIndexOf(':');
        var hasPort = colon > endpoint.LastIndexOf(']');
        return options with
        {
            Host = (hasPort ? endpoint[..colon] : endpoint).Trim('[', ']'),
            Port = hasPort ? int.Parse(endpoint[(colon + 1)..], CultureInfo.InvariantCulture) : (ssl == true ? 6380 : 6379),
            Ssl = ssl ?? false,
        };
    }

    static TimeSpan Milliseconds(string value) => TimeSpan.FromMilliseconds(int.Parse(value, CultureInfo.InvariantCulture));
}
