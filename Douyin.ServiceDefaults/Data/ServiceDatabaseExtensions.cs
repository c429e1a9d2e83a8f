using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

public static class ServiceDatabaseExtensions
{
    /// <summary>
    /// A service's own database: Aspire's pooled <typeparamref name="TContext"/> on <c>ConnectionStrings:{connectionName}</c>
    /// (settings under <c>Aspire:Npgsql:EntityFrameworkCore:PostgreSQL</c>), with our pool defaults, our retry policy and
    /// its migrations applied at start-up (once, even with several replicas).
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        var retry = false;
        // The exporter is the on/off switch of telemetry (see ConfigureOpenTelemetry): without one, Aspire's Npgsql
        // tracing and metrics would record every command for nobody.
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.AddNpgsqlDbContext<TContext>(connectionName, settings =>
        {
            if (settings.ConnectionString is { Length: > 0 } connectionString)
            {
                settings.ConnectionString = WithPoolDefaults(connectionString);
            }
            // Aspire's retry is EF's default; ours replaces it below, unless configuration turned retries off.
            retry = !settings.DisableRetry;
            settings.DisableRetry = true;
            settings.DisableTracing |= !exporting;
            settings.DisableMetrics |= !exporting;
        }, options =>
        {
            if (retry)
            {
                // EF's default (6 retries, up to 30 s apart) holds a request for a minute while PostgreSQL is down; a few
                // quick retries ride out a restart's dropped connections and still answer within the client's 5 s budget.
                // Background work (write consumers, outbox relays) keeps its own backoff.
                options.UseNpgsql(npgsql => npgsql.EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromSeconds(1), errorCodesToAdd: null));
            }
        });
        // Aspire's check (named after the context) has no tags and no timeout: a hung server would hold /health for
        // Npgsql's 15 s connect timeout, past the probes' own.
        builder.Services.Configure<HealthCheckServiceOptions>(health =>
        {
            foreach (var check in health.Registrations.Where(r => r.Name == typeof(TContext).Name))
            {
                check.Tags.Add("ready");
                check.Timeout = TimeSpan.FromSeconds(5);
            }
        });
        builder.Services.AddMigration<TContext>();
        return builder;
    }

    // Npgsql's default pool of 100 connections a process let three services (more with replicas) open more backends
    // than PostgreSQL's max_connections under load: bench/run.sh saw "too many clients" and timeouts at 400
    // connections. Backends beyond a few per core only queue inside PostgreSQL, so waiting in the pool costs nothing.
    internal const int DefaultMaxPoolSize = 20;

    // Our queries are a few dozen short statements run thousands of times a second (PositionalSql's among them). Under
    // bench/run.sh PostgreSQL spent most of its time parsing and planning them again and resetting each connection
    // (DISCARD ALL) as it went back to the pool. Prepared statements survive on the pooled connection; no code of ours
    // leaves session state behind (the migration lock is released in a finally).
    internal const int DefaultMaxAutoPrepare = 64;

    /// <summary>
    /// The connection string with our pool defaults for every setting it does not make itself (a deployment can
    /// still set Maximum Pool Size, Max Auto Prepare or No Reset On Close in it). Aspire's settings have no such knobs.
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
