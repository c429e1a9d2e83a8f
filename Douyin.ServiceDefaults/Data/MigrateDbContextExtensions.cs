using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.DependencyInjection;

public static class MigrateDbContextExtensions
{
    static readonly ActivitySource s_activitySource = new("Douyin.DbMigrations");

    /// <summary>
    /// Applies <typeparamref name="TContext"/>'s migrations before the server starts listening (eShop's AddMigration),
    /// creating the database first if the server has none (a fresh PostgreSQL in Kubernetes). Replicas starting together
    /// apply them once: see <see cref="MigrateOnceAsync"/>.
    /// </summary>
    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services) where TContext : DbContext =>
        services.AddHostedService<MigrationHostedService<TContext>>();

    sealed class MigrationHostedService<TContext>(IServiceProvider services, ILogger<TContext> logger) : IHostedService
        where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            using var activity = s_activitySource.StartActivity($"Migrating {typeof(TContext).Name}");
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            try
            {
                var strategy = context.Database.CreateExecutionStrategy();
                await strategy.ExecuteAsync(() => MigrateOnceAsync(context, cancellationToken));
                logger.LogInformation("Database of {DbContext} is up to date", typeof(TContext).Name);
            }
            catch (Exception ex)
            {
                activity?.AddException(ex);
                activity?.SetStatus(ActivityStatusCode.Error);
                logger.LogError(ex, "Migrating the database of {DbContext} failed", typeof(TContext).Name);
                throw;
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    // "Douyin" in ASCII: one advisory lock key per database, since PostgreSQL scopes advisory locks to a database.
    const long MigrationLockKey = 0x446F7579696E;

    // EF Core's own migration lock ends with each migration's transaction, so two replicas could both apply a later
    // migration (42P07 "already exists", seen with two Social replicas). A session-level advisory lock, held on the
    // context's connection for the whole run, lets one replica migrate while the others wait and then find nothing to do.
    static async Task MigrateOnceAsync(DbContext context, CancellationToken cancellationToken)
    {
        var creator = context.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            try
            {
                await creator.CreateAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
            {
                // Another replica created it first.
            }
        }
        await context.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            await context.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            await context.Database.CloseConnectionAsync();
        }
    }
}
