using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Douyin.ServiceDefaults.Redis;

/// <summary>Names to pass to OpenTelemetry's AddSource/AddMeter, and the instruments behind them.</summary>
public static class RedisTelemetry
{
    public const string ActivitySourceName = "Douyin.Redis";
    public const string MeterName = "Douyin.Redis";

    internal static readonly ActivitySource Source = new(ActivitySourceName);
    static readonly Meter s_meter = new(MeterName);

    internal static readonly Counter<long> Commands = s_meter.CreateCounter<long>("douyin.redis.commands", "{command}", "Commands sent to Redis.");
    internal static readonly Counter<long> Errors = s_meter.CreateCounter<long>("douyin.redis.errors", "{command}", "Commands that failed: server errors, timeouts and connection failures.");
    internal static readonly Histogram<double> Duration = s_meter.CreateHistogram<double>("db.client.operation.duration", "s", "Time from sending a Redis command to its reply.");

    /// <summary>Starts a client span only when a listener samples it, without making it the caller's current activity.</summary>
    internal static Activity? StartCommand(string command, RedisOptions options)
    {
        if (options.DisableTracing || !Source.HasListeners())
        {
            return null;
        }
        var previous = Activity.Current;
        var activity = Source.StartActivity(command, ActivityKind.Client);
        Activity.Current = previous;
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", command);
            activity.SetTag("db.namespace", options.Database);
            activity.SetTag("server.address", options.Host);
            activity.SetTag("server.port", options.Port);
        }
        return activity;
    }

    internal static void CountError(RedisOptions options, string type)
    {
        if (!options.DisableMetrics)
        {
            Errors.Add(1, new KeyValuePair<string, object?>("error.type", type));
        }
    }
}
