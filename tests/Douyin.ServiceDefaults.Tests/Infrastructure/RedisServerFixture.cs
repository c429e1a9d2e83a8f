using Aspire.Hosting;
using Douyin.Tests.Shared;

namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>A throwaway redis-server (the AppHost's own, with a generated password); Stop/Start restart it on the same port.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    LocalServer? _server;

    LocalServer Server => _server ?? throw new InvalidOperationException("Redis has not started.");

    /// <summary>The connection string as an Aspire AppHost gives it: <c>host:port,password=...</c>, nothing else.</summary>
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await LocalServer.StartAsync(b => b.AddRedisServer("cache"));

    public Task StartAsync() => Server.StartAsync();

    public Task StopAsync() => Server.StopAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Probes until <paramref name="probe"/> stops throwing; the last failure surfaces at the deadline.</summary>
    public static async Task EventuallyAsync(Func<Task> probe, double seconds = 10)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                await probe();
                return;
            }
            catch when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }
}
