using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;
using RabbitMQ.Client;

namespace Douyin.AppHost.Tests;

// Starting everything costs ~20 s on two cores, so one test walks the whole lifecycle.
public class EndToEndTests
{
    [Fact]
    public async Task TheWholeModelStartsServesSurvivesAPostgresRestartAndLeavesNothingBehind()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        var dataPath = Directory.CreateTempSubdirectory("douyin-apphost-test-").FullName;
        // WaitForResourceCleanup: disposing the app returns once dcp has stopped every process.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Douyin_AppHost>(
            [$"--AppHost:DataPath={dataPath}", "--DcpPublisher:WaitForResourceCleanup=true"], ct);
        var app = await builder.BuildAsync(ct);
        var markers = new List<string> { dataPath };
        try
        {
            await app.StartAsync(ct);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("web", ct);
            markers.AddRange(new[] { "web", "feed", "social", "chat" }.Select(p => $"ASPNETCORE_URLS={app.GetEndpoint(p).ToString().TrimEnd('/')}"));
            markers.Add($"127.0.0.1:{app.GetEndpoint("cache", "tcp").Port}");

            using var web = app.CreateHttpClient("web");
            using var health = await web.GetAsync("/health", ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);

            // What Feed received, as the dashboard shows it: the connection strings in the formats of Aspire's integrations.
            Assert.True(app.ResourceNotifications.TryGetCurrentState("feed", out var feedState));
            var feed = feedState!.Snapshot.EnvironmentVariables.Where(v => v.IsFromSpec).ToDictionary(v => v.Name, v => v.Value ?? "");
            Assert.Matches($"^Host=localhost;Port={app.GetEndpoint("pg", "tcp").Port};Username=postgres;Password=[A-Za-z0-9]{{22,}};Database=feeddb$", feed["ConnectionStrings__feeddb"]);
            Assert.Matches($"^localhost:{app.GetEndpoint("cache", "tcp").Port},password=[A-Za-z0-9]{{22,}}$", feed["ConnectionStrings__cache"]);
            Assert.Matches($"^amqp://guest:[A-Za-z0-9]{{22,}}@localhost:{app.GetEndpoint("messaging", "tcp").Port}$", feed["ConnectionStrings__messaging"]);
            Assert.Equal(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                $"BlobEndpoint=http://127.0.0.1:{app.GetEndpoint("storage", "blob").Port}/devstoreaccount1;",
                feed["ConnectionStrings__blobs"]);
            Assert.Equal(app.GetEndpoint("social").ToString().TrimEnd('/'), feed["services__social__http__0"].TrimEnd('/'));
            Assert.Matches("^[A-Za-z0-9]{64}$", feed["Jwt__Key"]); // long enough for HS256 (32 bytes or more)

            Assert.True(await DatabaseExistsAsync(app, "socialdb", ct));
            Assert.Equal("+PONG", await RedisPingAsync((await app.GetConnectionStringAsync("cache", ct))!, ct));
            var factory = new ConnectionFactory { Uri = new Uri((await app.GetConnectionStringAsync("messaging", ct))!) };
            await using (var connection = await factory.CreateConnectionAsync(ct))
            {
                Assert.True(connection.IsOpen);
            }
            Assert.StartsWith("Azurite-Blob", await AzuriteServerHeaderAsync((await app.GetConnectionStringAsync("blobs", ct))!, ct));

            Assert.True((await app.ResourceCommands.ExecuteCommandAsync("pg", KnownResourceCommands.StopCommand, ct)).Success);
            await app.ResourceNotifications.WaitForResourceAsync("socialdb", KnownResourceStates.TerminalStates, ct);
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => DatabaseExistsAsync(app, "socialdb", ct));

            Assert.True((await app.ResourceCommands.ExecuteCommandAsync("pg", KnownResourceCommands.StartCommand, ct)).Success);
            await app.ResourceNotifications.WaitForResourceHealthyAsync("pg", ct);
            Assert.True(await DatabaseExistsAsync(app, "socialdb", ct));
        }
        finally
        {
            await app.DisposeAsync();
            await builder.DisposeAsync();
        }

        Assert.Empty(ProcessesMentioning(markers));
        Directory.Delete(dataPath, recursive: true);
    }

    private static async Task<bool> DatabaseExistsAsync(DistributedApplication app, string database, CancellationToken ct)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await app.GetConnectionStringAsync(database, ct)) { Pooling = false, Timeout = 3 };
        await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT current_database()", connection);
        return (string?)await command.ExecuteScalarAsync(ct) == database;
    }

    private static async Task<string> RedisPingAsync(string connectionString, CancellationToken ct)
    {
        var parts = connectionString.Split(',');
        var password = parts.Single(p => p.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        var hostPort = parts[0].Split(':');
        using var client = new TcpClient();
        await client.ConnectAsync(hostPort[0], int.Parse(hostPort[1]), ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"AUTH {password}\r\nPING\r\n"), ct);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        Assert.Equal("+OK", await reader.ReadLineAsync(ct));
        return (await reader.ReadLineAsync(ct))!;
    }

    private static async Task<string> AzuriteServerHeaderAsync(string connectionString, CancellationToken ct)
    {
        var blobEndpoint = connectionString.Split(';').Single(p => p.StartsWith("BlobEndpoint=", StringComparison.Ordinal))["BlobEndpoint=".Length..];
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{blobEndpoint}?comp=list", ct);
        return response.Headers.Server.ToString();
    }

    // Any process whose command line or environment still mentions this run's data folder, project URLs or ports.
    private static List<string> ProcessesMentioning(IReadOnlyList<string> markers)
    {
        var found = new List<string>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var text = File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ') + "\n" + File.ReadAllText(Path.Combine(directory, "environ")).Replace('\0', '\n');
                if (markers.FirstOrDefault(m => text.Contains(m, StringComparison.Ordinal)) is { } marker)
                {
                    found.Add($"{pid}: {marker}: {text[..Math.Min(200, text.IndexOf('\n'))]}");
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
