using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Douyin.ServiceDefaults.Tests.Infrastructure;

/// <summary>A throwaway redis-server with a random password on a free port; Stop/Start restart it on the same port.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    readonly string _directory = Directory.CreateTempSubdirectory("douyin-redis-").FullName;
    Process? _process;

    public int Port { get; } = FreePort();

    public string Password { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

    /// <summary>Short timeouts keep failure tests fast.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password},abortConnect=false,connectTimeout=2000,syncTimeout=2000";

    public Task InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", Port.ToString(), "--bind", "127.0.0.1", "--requirepass", Password,
                "--save", "", "--appendonly", "no", "--dir", _directory, "--logfile", Path.Combine(_directory, "redis.log"),
            },
            UseShellExecute = false,
        })!;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
            _process = null;
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
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

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
