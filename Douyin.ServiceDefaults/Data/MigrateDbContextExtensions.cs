using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

public static class MigrateDbContextExtensions
{
    static readonly ActivitySource s_activitySource = new("Douyin.DbMigrations");

    /// <summary>
    /// Applies <typeparamref name="TContext"/>'s migrations before the server starts listening (eShop's AddMigration).
    /// EF Core takes a database lock while migrating, so replicas starting together apply them once.
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
                await strategy.ExecuteAsync(() => context.Database.MigrateAsync(cancellationToken));
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
}
