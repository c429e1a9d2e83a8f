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
    public sealed class NpgsqlEntityFrameworkCorePostgreSQLSettings
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
            var settings = new NpgsqlEntityFrameworkCorePostgreSQLSettings();
            var section = builder.Configuration.GetSection("Aspire:Npgsql:EntityFrameworkCore:PostgreSQL");
            section.Bind(settings);
            section.GetSection(connectionName).Bind(settings);
            section.GetSection(typeof(TContext).Name).Bind(settings);
            if (builder.Configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
            {
                settings.ConnectionString = connectionString;
            }
            configureSettings?.Invoke(settings);

            if (string.IsNullOrWhiteSpace(settings.ConnectionString))
            {
                throw new InvalidOperationException(
                    $"{typeof(TContext).Name} has no connection string: set ConnectionStrings:{connectionName} (ConnectionStrings__{connectionName}).");
            }

            builder.Services.TryAddSingleton(_ => NpgsqlDataSource.Create(settings.ConnectionString));
            builder.Services.AddDbContextPool<TContext>((sp, options) =>
            {
                options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql =>
                {
                    if (!settings.DisableRetry)
                    {
                        npgsql.EnableRetryOnFailure();
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
    }
}
