using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Aspire.Hosting.Testing;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>
/// One replica of a service as an operator or a node failure treats it: the process that listens on the replica's own
/// address, found through the kernel's socket table (Linux), so it does not matter which orchestrator started it.
/// </summary>
public static class ReplicaProcesses
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;
    public const int SIGSTOP = 19;

    /// <summary>The port replica <paramref name="replica"/> of <paramref name="service"/> listens on (in the orchestrator's order).</summary>
    public static async Task<int> ReplicaPortAsync(this DouyinAppFixture fixture, string service, int replica)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return (await fixture.App.ReplicaAddressAsync(service, replica, timeout.Token)).Port;
    }

    /// <summary>The process listening on a replica's port.</summary>
    public static async Task<Process> ReplicaProcessAsync(this DouyinAppFixture fixture, string service, int replica)
    {
        var port = await fixture.ReplicaPortAsync(service, replica);
        var inodes = Sockets().Where(s => s.LocalPort == port && s.State == Listen).Select(s => $"socket:[{s.Inode}]").ToHashSet();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }
            try
            {
                if (Directory.EnumerateFileSystemEntries(Path.Combine(directory, "fd")).Any(fd => inodes.Contains(new FileInfo(fd).LinkTarget ?? "")))
                {
                    return Process.GetProcessById(pid);
                }
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException or ArgumentException)
            {
                // another user's process, or one that just exited
            }
        }
        throw new InvalidOperationException($"No process listens on port {port} ({service} replica {replica}).");
    }

    /// <summary>Sends a signal to a replica's process and returns it, to wait for its exit.</summary>
    public static async Task<Process> SignalAsync(this DouyinAppFixture fixture, string service, int replica, int signal)
    {
        var process = await fixture.ReplicaProcessAsync(service, replica);
        if (Kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
        return process;
    }

    /// <summary>
    /// How many connections to a replica's port hold at least <paramref name="minBytes"/> unread (their receive queue):
    /// each is a request that reached the replica while it was frozen, one per connection (the edge speaks HTTP/1.1 to
    /// the services).
    /// </summary>
    public static int HeldRequests(int port, long minBytes) =>
        Sockets().Count(s => s.LocalPort == port && s.State == Established && s.Unread >= minBytes);

    const int Established = 0x01;
    const int Listen = 0x0A;

    /// <summary>/proc/net/tcp and tcp6: "sl local rem st tx_queue:rx_queue tr:when retrnsmt uid timeout inode".</summary>
    static IEnumerable<(int LocalPort, int State, long Unread, string Inode)> Sockets() =>
        new[] { "/proc/net/tcp", "/proc/net/tcp6" }.Where(File.Exists).SelectMany(File.ReadLines).Skip(1).Select(line =>
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 10 || fields[0] == "sl")
            {
                return (0, 0, 0L, "");
            }
            var local = fields[1];
            var queues = fields[4].Split(':');
            return (int.Parse(local[(local.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(queues[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                fields[9]);
        });

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
