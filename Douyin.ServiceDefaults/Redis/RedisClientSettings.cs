namespace Douyin.ServiceDefaults.Redis;

/// <summary>Bound from <c>Aspire:StackExchange:Redis[:name]</c>, like Aspire's StackExchangeRedisSettings.</summary>
public sealed class RedisClientSettings : Douyin.ServiceDefaults.Hosting.IConnectionStringSettings
{
    /// <summary>A StackExchange.Redis configuration string; <c>ConnectionStrings:name</c> overrides it.</summary>
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    public bool DisableMetrics { get; set; }
}
