using System.Diagnostics;
using Douyin.ServiceDefaults.Redis;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Douyin.ServiceDefaults.Tests.Redis;

/// <summary>
/// What AddServiceRedis makes of Aspire's AddRedisClient, against a real redis-server. Some tests stop and restart the
/// server; xunit runs the tests of a class one at a time.
/// </summary>
public sealed class ServiceRedisTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task TheAppHostsConnectionStringGetsOurFailFastDefaults()
    {
        using var host = Build(server.ConnectionString);

        var options = host.Services.GetRequiredService<IOptions<ConfigurationOptions>>().Value;
        Assert.Equal((false, BacklogPolicy.FailFast, 2000, 3000, 3000),
            (options.AbortOnConnectFail, options.BacklogPolicy, options.ConnectTimeout, options.SyncTimeout, options.AsyncTimeout));
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.True(await redis.StringSetAsync("defaults", "set"));
        Assert.Equal("set", (string?)await redis.StringGetAsync("defaults"));
    }

    [Fact]
    public void TheConnectionStringStillWinsOverOurDefaults()
    {
        using var host = Build(server.ConnectionString + ",syncTimeout=10000,abortConnect=true");

        var options = host.Services.GetRequiredService<IOptions<ConfigurationOptions>>().Value;
        Assert.Equal((true, 10000, 2000), (options.AbortOnConnectFail, options.SyncTimeout, options.ConnectTimeout));
    }

    [Fact]
    public async Task WhileRedisIsDownCommandsFailAtOnceAndTheConnectionComesBackByItself()
    {
        using var host = Build(server.ConnectionString);
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await redis.PingAsync();

        await server.StopAsync();
        try
        {
            // Once the client has seen the connection drop, each command fails without waiting for a timeout.
            await RedisServerFixture.EventuallyAsync(() => AssertFailsAsync(redis.PingAsync()));
            var stopwatch = Stopwatch.StartNew();
            await AssertFailsAsync(redis.StringGetAsync("anything"));
            Assert.InRange(stopwatch.Elapsed.TotalMilliseconds, 0, 500);
        }
        finally
        {
            await server.StartAsync();
        }

        await RedisServerFixture.EventuallyAsync(() => redis.PingAsync());
        Assert.True(await redis.StringSetAsync("restart", "after"));
    }

    [Fact]
    public async Task AServiceStartsWhileRedisIsDownAndConnectsWhenItIsBack()
    {
        await server.StopAsync();
        IHost host;
        IDatabase redis;
        try
        {
            host = Build(server.ConnectionString);
            // Aspire connects synchronously on first use: for a Redis that is down, that waits out our connect timeout once.
            var stopwatch = Stopwatch.StartNew();
            redis = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0, 5);
            await AssertFailsAsync(redis.PingAsync());
        }
        finally
        {
            await server.StartAsync();
        }

        using (host)
        {
            await RedisServerFixture.EventuallyAsync(() => redis.PingAsync());
        }
    }

    [Fact]
    public async Task TheHealthCheckKeepsAspiresNameWithOurTagAndTimeoutAndFollowsTheServer()
    {
        using var host = Build(server.ConnectionString);
        var check = Assert.Single(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal((ServiceRedisExtensions.HealthCheckName, TimeSpan.FromSeconds(2)), (check.Name, check.Timeout));
        Assert.Contains("ready", check.Tags);

        var health = host.Services.GetRequiredService<HealthCheckService>();
        await RedisServerFixture.EventuallyAsync(async () => Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Tags.Contains("ready"))).Status));
        await server.StopAsync();
        try
        {
            await RedisServerFixture.EventuallyAsync(async () => Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Status));
        }
        finally
        {
            await server.StartAsync();
        }
    }

    [Fact]
    public void WithoutACollectorAspireAddsNoRedisTracing()
    {
        using var host = Build(server.ConnectionString);

        Assert.Null(host.Services.GetService<TracerProvider>());
    }

    [Fact]
    public void WithACollectorAspireTracesRedis()
    {
        using var host = Build(server.ConnectionString, new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" });

        Assert.NotNull(host.Services.GetService<TracerProvider>());
    }

    [Fact]
    public async Task RedisFailuresAreTheExceptionsOfAServerThatIsDownSlowOrRefusing()
    {
        using var host = Build(server.ConnectionString);
        var redis = host.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        await redis.StringSetAsync("a string", "not a set");

        var refused = await Assert.ThrowsAsync<RedisServerException>(() => redis.SetContainsAsync("a string", "member"));

        Assert.True(refused.IsRedisFailure());
        Assert.True(new RedisTimeoutException("slow", CommandStatus.Sent).IsRedisFailure());
        Assert.False(new InvalidOperationException().IsRedisFailure());
    }

    static async Task AssertFailsAsync(Task command)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => command);
        Assert.True(error.IsRedisFailure(), $"{error.GetType().Name}: {error.Message}");
    }

    static IHost Build(string connectionString, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = connectionString });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddServiceRedis("cache");
        return builder.Build();
    }
}
