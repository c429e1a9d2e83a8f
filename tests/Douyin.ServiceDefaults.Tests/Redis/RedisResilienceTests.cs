using System.Diagnostics;
using Douyin.ServiceDefaults.Redis;
using Douyin.ServiceDefaults.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Douyin.ServiceDefaults.Tests.Redis;

/// <summary>Tests that stop and restart their own server; xunit runs them one at a time.</summary>
public sealed class RedisResilienceTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>
{
    [Fact]
    public async Task AWrongPasswordGivesAClearError()
    {
        await using var redis = new RedisConnection($"127.0.0.1:{server.Port},password=wrong");

        var error = await Assert.ThrowsAsync<RedisConnectionException>(() => redis.PingAsync());

        Assert.Contains("Authentication to Redis at 127.0.0.1", error.Message);
        Assert.Contains("WRONGPASS", error.Message);
    }

    [Fact]
    public async Task SurvivesAServerRestart()
    {
        await using var redis = new RedisConnection(server.ConnectionString + ",syncTimeout=10000");
        await redis.SetAsync("restart", "before");
        var inFlight = redis.ExecuteAsync("BLPOP", ["nothing", 10]);

        await server.StopAsync();
        try
        {
            var lost = await Assert.ThrowsAsync<RedisConnectionException>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Contains("127.0.0.1", lost.Message);
            var stopwatch = Stopwatch.StartNew();
            await RedisServerFixture.EventuallyAsync(() => Assert.ThrowsAsync<RedisConnectionException>(() => redis.PingAsync()));
            Assert.InRange(stopwatch.Elapsed.TotalSeconds, 0, 3); // fails fast rather than hanging for syncTimeout
        }
        finally
        {
            await server.StartAsync();
        }

        await RedisServerFixture.EventuallyAsync(() => redis.PingAsync());
        Assert.True(await redis.SetAsync("restart", "after"));
        Assert.Equal("after", (string?)await redis.GetAsync("restart"));
    }

    [Fact]
    public async Task CreatingTheClientWhileTheServerIsDownNeitherThrowsNorBlocks()
    {
        await server.StopAsync();
        RedisConnection redis;
        try
        {
            var stopwatch = Stopwatch.StartNew();
            redis = new RedisConnection(server.ConnectionString);
            Assert.InRange(stopwatch.Elapsed.TotalMilliseconds, 0, 500);
            await Assert.ThrowsAsync<RedisConnectionException>(() => redis.PingAsync());
        }
        finally
        {
            await server.StartAsync();
        }

        await using (redis)
        {
            await RedisServerFixture.EventuallyAsync(() => redis.PingAsync());
            Assert.True(redis.IsConnected);
        }
    }

    [Fact]
    public async Task SubscriptionsComeBackAfterARestart()
    {
        await using var redis = new RedisConnection(server.ConnectionString);
        var received = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await redis.SubscribeAsync("news", (_, message) =>
        {
            received.TrySetResult((string?)message);
            return Task.CompletedTask;
        });

        await server.StopAsync();
        await server.StartAsync();

        // PUBLISH reports 1 receiver once the subscriber connection has resubscribed.
        await RedisServerFixture.EventuallyAsync(async () => Assert.Equal(1, await redis.PublishAsync("news", "back")));
        Assert.Equal("back", await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task RegistrationReadsTheConnectionStringAndReportsHealth()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Aspire:StackExchange:Redis:ConnectionString"] = "nowhere:1",
            ["ConnectionStrings:cache"] = server.ConnectionString,
        });
        builder.AddRedisClient("cache");
        var host = builder.Build();
        await using var _ = (IAsyncDisposable)host;
        var health = host.Services.GetRequiredService<HealthCheckService>();

        Assert.Equal(server.Port, host.Services.GetRequiredService<RedisConnection>().Options.Port);
        await RedisServerFixture.EventuallyAsync(async () => Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(r => r.Tags.Contains("ready"))).Entries["Redis"].Status));

        await server.StopAsync();
        try
        {
            await RedisServerFixture.EventuallyAsync(async () => Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync()).Entries["Redis"].Status));
        }
        finally
        {
            await server.StartAsync();
        }
    }

    [Fact]
    public void RegistrationWithoutAConnectionStringNamesTheMissingKey()
    {
        var builder = Host.CreateApplicationBuilder();

        var error = Assert.Throws<InvalidOperationException>(() => builder.AddRedisClient("cache"));

        Assert.Contains("ConnectionStrings:cache", error.Message);
    }

    [Fact]
    public void SettingsCanTurnTheHealthCheckOff()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["Aspire:StackExchange:Redis:cache:DisableHealthChecks"] = "true";

        builder.AddRedisClient("cache", settings => settings.ConnectionString = server.ConnectionString);

        var registrations = builder.Services.BuildServiceProvider().GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.DoesNotContain(registrations, r => r.Name == "Redis");
    }
}
