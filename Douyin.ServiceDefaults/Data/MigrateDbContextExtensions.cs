using System.Diagnostics;
using System.Reflection;
using Douyin.ServiceDefaults.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
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
            await RecordReplacedBaselinesAsync(context, cancellationToken);
            await context.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await context.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            await context.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Records a <see cref="ReplacesMigrationsAttribute"/> baseline as applied where the migrations it replaces built the
    /// schema (a database deployed before the baseline), so that MigrateAsync does not create its tables again. A
    /// database with only some of them is older than any baseline can take: it is refused, and nothing changes.
    /// </summary>
    static async Task RecordReplacedBaselinesAsync(DbContext context, CancellationToken cancellationToken)
    {
        var history = context.GetService<IHistoryRepository>();
        if (!await history.ExistsAsync(cancellationToken))
        {
            return;
        }
        var applied = (await history.GetAppliedMigrationsAsync(cancellationToken)).Select(r => r.MigrationId).ToHashSet(StringComparer.Ordinal);
        foreach (var (id, type) in context.GetService<IMigrationsAssembly>().Migrations)
        {
            if (applied.Contains(id) || type.GetCustomAttribute<ReplacesMigrationsAttribute>() is not { } baseline || !baseline.MigrationIds.Any(applied.Contains))
            {
                continue;
            }
            var missing = baseline.MigrationIds.Where(m => !applied.Contains(m)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The database of {context.GetType().Name} lacks {string.Join(", ", missing)}, which {id} replaces: " +
                    "migrate it with a release from before the baseline first.");
            }
            await context.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(id, ProductInfo.GetVersion())), cancellationToken);
        }
    }
}
