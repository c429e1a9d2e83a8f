using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace Aspire.Hosting.ApplicationModel
{
    public class PostgresServerResource : ContainerResource, IResourceWithConnectionString
    {
        internal const string PrimaryEndpointName = "tcp";

        public PostgresServerResource(string name, ParameterResource? userName, ParameterResource password) : base(name)
        {
            UserNameParameter = userName;
            PasswordParameter = password;
            PrimaryEndpoint = new(this, PrimaryEndpointName);
        }

        public EndpointReference PrimaryEndpoint { get; }
        public ParameterResource? UserNameParameter { get; }
        public ParameterResource PasswordParameter { get; }
        public Dictionary<string, string> Databases { get; } = new(StringComparer.OrdinalIgnoreCase);

        public ReferenceExpression ConnectionStringExpression
        {
            get
            {
                var builder = new ReferenceExpressionBuilder();
                builder.AppendLiteral("Host=");
                builder.AppendValueProvider(PrimaryEndpoint.Property(EndpointProperty.Host));
                builder.AppendLiteral(";Port=");
                builder.AppendValueProvider(PrimaryEndpoint.Property(EndpointProperty.Port));
                builder.AppendLiteral(";Username=");
                if (UserNameParameter is null)
                {
                    builder.AppendLiteral("postgres");
                }
                else
                {
                    builder.AppendValueProvider(UserNameParameter);
                }
                builder.AppendLiteral(";Password=");
                builder.AppendValueProvider(PasswordParameter);
                return builder.Build();
            }
        }
    }

    public class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent) : Resource(name), IResourceWithParent<PostgresServerResource>, IResourceWithConnectionString
    {
        public PostgresServerResource Parent { get; } = parent;
        public string DatabaseName { get; } = databaseName;
        public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
    }
}

namespace Aspire.Hosting
{
    public static class PostgresBuilderExtensions
    {
        public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name,
            IResourceBuilder<ParameterResource>? userName = null, IResourceBuilder<ParameterResource>? password = null, int? port = null)
        {
            var passwordParameter = password?.Resource ?? ParameterResourceBuilderExtensions.CreateDefaultPasswordParameter(builder, $"{name}-password", special: false);
            var server = new PostgresServerResource(name, userName?.Resource, passwordParameter);
            server.Annotations.Add(new ContainerImageAnnotation { Registry = "docker.io", Image = "library/postgres", Tag = "17.6" });
            server.Annotations.Add(new EndpointAnnotation(PostgresServerResource.PrimaryEndpointName, "tcp", port, targetPort: 5432));
            server.Annotations.Add(new EnvironmentAnnotation("POSTGRES_HOST_AUTH_METHOD", "scram-sha-256"));
            server.Annotations.Add(new EnvironmentAnnotation("POSTGRES_INITDB_ARGS", "--auth-host=scram-sha-256 --auth-local=scram-sha-256"));
            server.Annotations.Add(new EnvironmentAnnotation("POSTGRES_USER", userName?.Resource is { } user ? user : "postgres"));
            server.Annotations.Add(new EnvironmentAnnotation("POSTGRES_PASSWORD", passwordParameter));
            server.Annotations.Add(new LocalServiceAnnotation(new PostgresLocalService(server)));
            if (password is null)
            {
                builder.AddResource(passwordParameter);
            }
            return builder.AddResource(server);
        }

        /// <summary>Run mode creates the database once the server is healthy, as Aspire 9.3+ does.</summary>
        public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
        {
            databaseName ??= name;
            builder.Resource.Databases.Add(name, databaseName);
            return builder.ApplicationBuilder.AddResource(new PostgresDatabaseResource(name, databaseName, builder.Resource));
        }

        public static IResourceBuilder<PostgresServerResource> WithDataVolume(this IResourceBuilder<PostgresServerResource> builder, string? name = null, bool isReadOnly = false) =>
            builder.WithAnnotation(new ContainerMountAnnotation(name ?? VolumeName.Generate(builder, "data"), "/var/lib/postgresql/data", ContainerMountType.Volume, isReadOnly));
    }

    /// <summary>A local PostgreSQL cluster under the data folder, in place of the postgres container.</summary>
    internal sealed class PostgresLocalService(PostgresServerResource server) : LocalService
    {
        public override IResource Resource => server;

        public override bool UseExisting() => RedirectToConfiguration(server, server.Name);

        public override async Task<ProcessSpec> PrepareAsync(string dataDirectory, CancellationToken cancellationToken)
        {
            var bin = FindBinDirectory();
            var pgData = Path.Combine(dataDirectory, "data");
            var socketDirectory = Path.Combine(dataDirectory, "run");
            Directory.CreateDirectory(socketDirectory);
            // postgres refuses to run as root: as root, the cluster belongs to the postgres OS user.
            var runAs = Environment.IsPrivilegedProcess ? "postgres" : null;
            if (runAs is not null)
            {
                EnsureTraversable(dataDirectory);
                await ProcessSpec.RunToCompletionAsync("chown", ["-R", "postgres:postgres", dataDirectory], cancellationToken);
            }
            if (!File.Exists(Path.Combine(pgData, "PG_VERSION")))
            {
                var passwordFile = Path.Combine(dataDirectory, "pwfile");
                await File.WriteAllTextAsync(passwordFile, server.PasswordParameter.Value, cancellationToken);
                try
                {
                    if (runAs is not null)
                    {
                        await ProcessSpec.RunToCompletionAsync("chown", ["postgres:postgres", passwordFile], cancellationToken);
                    }
                    var user = server.UserNameParameter?.Value ?? "postgres";
                    var initdb = new ProcessSpec(Path.Combine(bin, "initdb"),
                        ["-D", pgData, "-U", user, "--auth=scram-sha-256", $"--pwfile={passwordFile}", "-E", "UTF8", "--no-instructions"], dataDirectory) { RunAsUser = runAs };
                    await initdb.RunToCompletionAsync(cancellationToken);
                }
                finally
                {
                    File.Delete(passwordFile);
                }
            }
            var port = server.PrimaryEndpoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return new ProcessSpec(Path.Combine(bin, "postgres"),
                // 200 connections: three services with two replicas each and bounded pools (20 a process), plus tests and tools.
                ["-D", pgData, "-p", port, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-k", socketDirectory], dataDirectory)
            {
                RunAsUser = runAs,
                StopSignal = ProcessSpec.SIGINT, // "fast" shutdown: roll back sessions and exit cleanly
            };
        }

        public override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
        {
            try
            {
                await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(cancellationToken));
                await connection.OpenAsync(cancellationToken);
                return true;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return false;
            }
        }

        public override async Task OnHealthyAsync(CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync(cancellationToken));
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
        private async Task<string> AdminConnectionStringAsync(CancellationToken cancellationToken) =>
            new NpgsqlConnectionStringBuilder(await ((IResourceWithConnectionString)server).GetConnectionStringAsync(cancellationToken))
            {
                Pooling = false,
                Timeout = 3,
            }.ConnectionString;

        // The postgres user must reach its directory: open up (o+x) our own folders, and fail clearly on a closed ancestor.
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
            if (versions.Count > 0)
            {
                return Path.Combine(versions[0], "bin");
            }
            if (ProcessSpec.TryRunForOutput("pg_config", ["--bindir"]) is { } binDir && File.Exists(Path.Combine(binDir, "postgres")))
            {
                return binDir;
            }
            return ProcessSpec.FindOnPath("postgres") is { } postgres
                ? Path.GetDirectoryName(postgres)!
                : throw new DistributedApplicationException("PostgreSQL is not installed: no postgres binary in /usr/lib/postgresql/<version>/bin, `pg_config --bindir` or PATH.");
        }
    }
}
