using System.Diagnostics;
using Npgsql;

namespace Douyin.EventBus.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL 15 cluster on a free port. PostgreSQL refuses to run as root, so the cluster belongs to the
/// postgres OS user and every server command runs through runuser.
/// </summary>
public sealed class PostgresServerFixture : IAsyncDisposable
{
    const string BinDirectory = "/usr/lib/postgresql/15/bin";

    readonly string _directory = Directory.CreateTempSubdirectory("douyin-pg-").FullName;
    readonly int _port = RabbitMQServerFixture.FreePort();

    string DataDirectory => Path.Combine(_directory, "data");

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=eventbus";

    public async Task StartAsync()
    {
        await RunAsync("chown", "-R", "postgres:postgres", _directory);
        await RunAsync("runuser", "-u", "postgres", "--", $"{BinDirectory}/initdb", "-D", DataDirectory, "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--no-sync");
        // Durability is irrelevant for a throwaway cluster; these settings make commits cheap on a shared disk.
        await RunAsync("runuser", "-u", "postgres", "--", $"{BinDirectory}/pg_ctl", "-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"),
            "-w", "-o", $"-p {_port} -c listen_addresses=127.0.0.1 -k {_directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "start");

        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE DATABASE eventbus", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync("runuser", "-u", "postgres", "--", $"{BinDirectory}/pg_ctl", "-D", DataDirectory, "-m", "immediate", "-w", "stop");
        Directory.Delete(_directory, recursive: true);
    }

    async Task RunAsync(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false, WorkingDirectory = _directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
