using Douyin.ServiceDefaults.Hosting;
using Douyin.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Douyin.ServiceDefaults.Data
{
    /// <summary>Aspire.Npgsql.EntityFrameworkCore.PostgreSQL's settings (shared/design/aspire-conventions.md §5.2).</summary>
    public sealed class NpgsqlEntityFrameworkCorePostgreSQLSettings : Douyin.ServiceDefaults.Hosting.IConnectionStringSettings
    {
        public string? ConnectionString { get; set; }
        public bool DisableRetry { get; set; }
        public bool DisableHealthChecks { get; set; }
        public int? CommandTimeout { get; set; }
    }

    internal sealed class DbContextHealthCheck<TContext>(IServiceProvider services) : IHealthCheck where TContext : DbContext
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TContext>();
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, $"{typeof(TContext).Name} cannot reach its database.");
        }
    }
}

namespace Microsoft.Extensions.Hosting
{
    public static class NpgsqlDbContextExtensions
    {
        /// <summary>
        /// Registers a pooled <typeparamref name="TContext"/> over one <see cref="NpgsqlDataSource"/> (also registered,
        /// for hot paths that want plain Npgsql), with retries, a health check named after the context, and
        /// Npgsql's own tracing and metrics (picked up by ConfigureOpenTelemetry).
        /// </summary>
        public static void AddNpgsqlDbContext<TContext>(
            this IHostApplicationBuilder builder,
            string connectionName,
            Action<NpgsqlEntityFrameworkCorePostgreSQLSettings>? configureSettings = null,
            Action<DbContextOptionsBuilder>? configureDbContextOptions = null) where TContext : DbContext
        {
            var settings = ClientSettings.Bind(
                builder, "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL", connectionName, configureSettings, extraChild: typeof(TContext).Name);
            if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            {
                throw ClientSettings.Missing(typeof(TContext).Name, connectionName);
            }

            builder.Services.TryAddSingleton(_ => NpgsqlDataSource.Create(WithPoolDefaults(settings.ConnectionString)));
            builder.Services.AddDbContextPool<TContext>((sp, options) =>
            {
                options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql =>
                {
                    if (!settings.DisableRetry)
                    {
                        // EF's default (6 retries, up to 30 s apart) holds a request for a minute while PostgreSQL is
                        // down; a few quick retries ride out a restart's dropped connections and still answer within
                        // the client's 5 s budget. Background work (write consumers, outbox relays) keeps its own backoff.
                        npgsql.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(1), errorCodesToAdd: null);
                    }
                    if (settings.CommandTimeout is { } timeout)
                    {
                        npgsql.CommandTimeout(timeout);
                    }
                });
                configureDbContextOptions?.Invoke(options);
            });

            if (!settings.DisableHealthChecks)
            {
                builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                    typeof(TContext).Name,
                    sp => new DbContextHealthCheck<TContext>(sp),
                    failureStatus: null,
                    tags: ["ready"],
                    timeout: TimeSpan.FromSeconds(5)));
            }
        }

        // Npgsql's default pool of 100 connections a process let three services (more with replicas) open more backends
        // than PostgreSQL's max_connections under load: bench/run.sh saw "too many clients" and timeouts at 400
        // connections. Backends beyond a few per core only queue inside PostgreSQL, so waiting in the pool costs nothing.
        internal const int DefaultMaxPoolSize = 20;

        // Our queries are a few dozen short statements run thousands of times a second. Under bench/run.sh PostgreSQL
        // spent most of its time parsing and planning them again and resetting each connection (DISCARD ALL) as it went
        // back to the pool. Prepared statements survive on the pooled connection; no code of ours leaves session state
        // behind (the migration lock is released in a finally).
        internal const int DefaultMaxAutoPrepare = 64;

        /// <summary>
        /// The connection string with our pool defaults for every setting it does not make itself (a deployment can
        /// still set Maximum Pool Size, Max Auto Prepare or No Reset On Close in it).
        /// </summary>
        internal static string WithPoolDefaults(string connectionString)
        {
            var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
                .Cast<string>().Select(k => k.Replace(" ", "", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var result = new NpgsqlConnectionStringBuilder(connectionString);
            if (!given.Contains("MaximumPoolSize") && !given.Contains("MaxPoolSize"))
            {
                result.MaxPoolSize = DefaultMaxPoolSize;
            }
            if (!given.Contains("MaxAutoPrepare"))
            {
                result.MaxAutoPrepare = DefaultMaxAutoPrepare;
            }
            if (!given.Contains("NoResetOnClose"))
            {
                result.NoResetOnClose = true;
            }
            return result.ConnectionString;
        }
    }
}
