using Npgsql;

namespace Douyin.AppHost.LocalServers;

/// <summary>A PostgreSQL cluster of its own under the data folder, served by the postgres binary of the machine.</summary>
public sealed class LocalPostgresResource(string name, string command, string dataDirectory, ParameterResource password)
    : LocalServerResource(name, command, dataDirectory)
{
    public const string UserName = "postgres";

    public ParameterResource PasswordParameter { get; } = password;

    /// <summary>Resource name → database name; each is created once the server is healthy (as Aspire.Hosting.PostgreSQL does).</summary>
    public Dictionary<string, string> Databases { get; } = new(StringComparer.OrdinalIgnoreCase);

    // What Aspire.Hosting.PostgreSQL gives, and so what Aspire.Npgsql reads.
    public override ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");
}

public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource server)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent { get; } = server;

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}

public static class PostgresServerExtensions
{
    /// <summary>
    /// A PostgreSQL server: <c>ConnectionStrings:{name}</c> if configured, Aspire's postgres container when publishing (or with
    /// <c>Douyin:Containers</c>), else a local cluster.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddPostgresServer(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.HasConnectionString(name))
        {
            return builder.AddConnectionString(name);
        }
        if (builder.UsesContainers())
        {
            return builder.AddPostgres(name).WithDataVolume();
        }
        var password = builder.AddPassword(name);
        // postgres refuses to run as root: as root, the cluster belongs to the postgres OS user (setpriv switches to it).
        var runAs = Environment.IsPrivilegedProcess ? "postgres" : null;
        var bin = FindBinDirectory();
        var server = new LocalPostgresResource(name, "/bin/sh", builder.DataDirectory(name), password.Resource);
        var pgData = Path.Combine(server.DataDirectory, "data");
        var socketDirectory = Path.Combine(server.DataDirectory, "run");
        string[] asUser = runAs is null ? [] : [LocalServerExtensions.RequireOnPath("setpriv", "util-linux"), $"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--"];
        return builder.AddLocalServer(server, "tcp", IsHealthyAsync)
            // dcp stops a process with SIGTERM, which PostgreSQL takes as "wait for every client to leave": like the postgres
            // image's STOPSIGNAL, the shell turns it into SIGINT ("fast": roll back sessions and exit cleanly).
            .WithArgs(context =>
            {
                context.Args.Add("-c");
                context.Args.Add("trap 'kill -INT $pid' TERM INT; \"$@\" & pid=$!; wait $pid; trap - TERM INT; wait $pid");
                context.Args.Add("postgres");
                foreach (var argument in asUser)
                {
                    context.Args.Add(argument);
                }
                // 200 connections: three services with two replicas each and bounded pools (20 a process), plus tests and tools.
                foreach (var argument in new[] { Path.Combine(bin, "postgres"), "-D", pgData, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-k", socketDirectory, "-p" })
                {
                    context.Args.Add(argument);
                }
                context.Args.Add(server.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
            })
            .OnBeforeResourceStarted(async (_, _, cancellationToken) =>
            {
                Directory.CreateDirectory(socketDirectory);
                if (runAs is not null)
                {
                    EnsureTraversable(server.DataDirectory);
                    await LocalServerExtensions.RunAsync("chown", ["-R", $"{runAs}:{runAs}", server.DataDirectory], cancellationToken);
                }
                if (!File.Exists(Path.Combine(pgData, "PG_VERSION")))
                {
                    var passwordFile = Path.Combine(server.DataDirectory, "pwfile");
                    await File.WriteAllTextAsync(passwordFile, await server.PasswordParameter.GetValueAsync(cancellationToken), cancellationToken);
                    try
                    {
                        if (runAs is not null)
                        {
                            await LocalServerExtensions.RunAsync("chown", [$"{runAs}:{runAs}", passwordFile], cancellationToken);
                        }
                        string[] initdb = [Path.Combine(bin, "initdb"), "-D", pgData, "-U", LocalPostgresResource.UserName, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-instructions"];
                        await LocalServerExtensions.RunAsync(asUser.Length > 0 ? asUser[0] : initdb[0], [.. asUser.Skip(1), .. (asUser.Length > 0 ? initdb : initdb[1..])], cancellationToken);
                    }
                    finally
                    {
                        File.Delete(passwordFile);
                    }
                }
            })
            .OnResourceReady(async (_, _, cancellationToken) => await CreateDatabasesAsync(server, cancellationToken));
    }

    /// <summary>A database on the server, created once the server is healthy; on a configured server it must exist.</summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddDatabase(this IResourceBuilder<IResourceWithConnectionString> server, string name)
    {
        switch (server.Resource)
        {
            case PostgresServerResource postgres:
                return PostgresBuilderExtensions.AddDatabase(server.ApplicationBuilder.CreateResourceBuilder(postgres), name);
            case LocalPostgresResource local:
                local.Databases[name] = name;
                var database = new LocalPostgresDatabaseResource(name, name, local);
                var healthCheck = $"{name}_check";
                server.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(healthCheck, async cancellationToken =>
                    await CanConnectAsync(database, cancellationToken) ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy() : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy());
                return server.ApplicationBuilder.AddChild(local, database).WithHealthCheck(healthCheck);
            default:
                return server.ApplicationBuilder.AddConnectionString(name, ReferenceExpression.Create($"{server.Resource};Database={name}"));
        }
    }

    private static async Task<bool> IsHealthyAsync(LocalPostgresResource server, CancellationToken cancellationToken) => await CanConnectAsync(server, cancellationToken);

    private static async Task<bool> CanConnectAsync(IResourceWithConnectionString resource, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(resource, cancellationToken));
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task CreateDatabasesAsync(LocalPostgresResource server, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(server, cancellationToken));
        await connection.OpenAsync(cancellationToken);
        foreach (var databaseName in server.Databases.Values)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", databaseName);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }

    // No pooling: the server may be restarted under us (resource-stop/start), which breaks pooled connections.
    private static async Task<string> AdminConnectionStringAsync(IResourceWithConnectionString resource, CancellationToken cancellationToken) =>
        new NpgsqlConnectionStringBuilder(await resource.GetConnectionStringAsync(cancellationToken)) { Pooling = false, Timeout = 3 }.ConnectionString;

    // The postgres user must reach its directory: open up (o+x) our own folder, and fail clearly on a closed ancestor.
    private static void EnsureTraversable(string dataDirectory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var dataRoot = Path.GetDirectoryName(dataDirectory)!;
        for (var directory = new DirectoryInfo(dataRoot); directory is not null; directory = directory.Parent)
        {
            if (directory.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                continue;
            }
            if (directory.FullName != dataRoot)
            {
                throw new DistributedApplicationException($"PostgreSQL runs as the postgres user, which cannot enter '{directory.FullName}'. Make it traversable (chmod o+x) or set AppHost:DataPath elsewhere.");
            }
            directory.UnixFileMode |= UnixFileMode.OtherExecute;
        }
    }

    private static string FindBinDirectory()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Where(d => File.Exists(Path.Combine(d, "bin", "postgres")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).ToList()
            : [];
        return versions.Count > 0
            ? Path.Combine(versions[0], "bin")
            : LocalServerExtensions.FindOnPath("postgres") is { } postgres
                ? Path.GetDirectoryName(postgres)!
                : throw new DistributedApplicationException("PostgreSQL is not installed: no postgres binary in /usr/lib/postgresql/<version>/bin or on PATH (./eng/setup.sh installs it).");
    }
}
