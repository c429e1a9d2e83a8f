using Aspire.Hosting;
using Douyin.Tests.Shared;

namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>A throwaway redis-server (the AppHost's own, with a generated password); Stop/Start restart it on the same port.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    LocalServer? _server;

    LocalServer Server => _server ?? throw new InvalidOperationException("Redis has not started.");

    public int Port => int.Parse(Server.ConnectionString.Split(',')[0].Split(':')[1]);

    public string Password => Server.ConnectionString.Split(",password=")[1];

    /// <summary>The AppHost's connection string plus short timeouts, which keep failure tests fast.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

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

    /// <summary>Retries <paramref name="probe"/> until it stops throwing; the last failure surfaces at the deadline.</summary>
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
