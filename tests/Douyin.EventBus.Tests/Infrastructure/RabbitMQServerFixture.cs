using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace Douyin.EventBus.Tests.Infrastructure;

/// <summary>
/// A throwaway rabbitmq-server node on free ports, with its own epmd (started here, so none is left behind as a
/// daemon). <see cref="StopAsync"/> and <see cref="StartAsync"/> restart it on the same ports and data.
/// </summary>
public sealed class RabbitMQServerFixture : IAsyncDisposable
{
    const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    readonly string _directory = Directory.CreateTempSubdirectory("douyin-rabbitmq-").FullName;
    readonly int _epmdPort = FreePort();
    readonly int _distPort = FreePort();
    Process? _epmd;
    Process? _server;

    public int Port { get; } = FreePort();

    public string ConnectionString => $"amqp://guest:guest@127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        if (_epmd is null)
        {
            File.WriteAllText(Path.Combine(_directory, "rabbitmq.conf"), "loopback_users = none\n");
            File.WriteAllText(Path.Combine(_directory, "enabled_plugins"), "");
            var epmd = new ProcessStartInfo("epmd") { ArgumentList = { "-port", _epmdPort.ToString() }, UseShellExecute = false };
            _epmd = Process.Start(epmd)!;
            await WaitForPortAsync(_epmdPort, _epmd);
        }

        // exec keeps the script's pid; its output goes to a file rather than into the test log.
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", $"exec {ServerScript} > '{_directory}/server.log' 2>&1" }, UseShellExecute = false };
        start.Environment["HOME"] = _directory;
        start.Environment["RABBITMQ_NODENAME"] = $"douyin-test-{Port}@localhost";
        start.Environment["RABBITMQ_NODE_PORT"] = Port.ToString();
        start.Environment["RABBITMQ_DIST_PORT"] = _distPort.ToString();
        start.Environment["ERL_EPMD_PORT"] = _epmdPort.ToString();
        start.Environment["RABBITMQ_MNESIA_BASE"] = Path.Combine(_directory, "mnesia");
        start.Environment["RABBITMQ_LOG_BASE"] = Path.Combine(_directory, "log");
        start.Environment["RABBITMQ_CONFIG_FILE"] = Path.Combine(_directory, "rabbitmq");
        start.Environment["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "enabled_plugins");
        _server = Process.Start(start)!;

        var factory = new ConnectionFactory { Uri = new Uri(ConnectionString), AutomaticRecoveryEnabled = false };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Stops the node with SIGTERM (a clean broker shutdown, as in production) and waits until no process of it is left.</summary>
    public async Task StopAsync()
    {
        if (_server is not { } server)
        {
            return;
        }
        var descendants = Descendants(server.Id);
        await SignalAsync("TERM", server.Id);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        foreach (var pid in descendants.Where(pid => Directory.Exists($"/proc/{pid}")))
        {
            await SignalAsync("KILL", pid);
        }
        server.Dispose();
        _server = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_epmd is { } epmd)
        {
            epmd.Kill();
            await epmd.WaitForExitAsync();
            epmd.Dispose();
        }
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>The beam VM and its helpers, found through /proc's parent links.</summary>
    static List<int> Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                var text = File.ReadAllText(stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                parents[int.Parse(Path.GetFileName(Path.GetDirectoryName(stat)!))] = int.Parse(fields[1]);
            }
            catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
            {
            }
        }
        var result = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var pid))
        {
            foreach (var child in parents.Where(p => p.Value == pid).Select(p => p.Key))
            {
                result.Add(child);
                frontier.Enqueue(child);
            }
        }
        return result;
    }

    static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(20);
            }
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static async Task SignalAsync(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", pid.ToString() }, UseShellExecute = false })!;
        await kill.WaitForExitAsync();
    }
}
