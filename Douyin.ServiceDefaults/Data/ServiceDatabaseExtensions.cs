using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class ServiceDatabaseExtensions
{
    /// <summary>
    /// A service's own database: the pooled <typeparamref name="TContext"/> on <c>ConnectionStrings:{connectionName}</c>,
    /// with its migrations applied at start-up (once, even with several replicas).
    /// </summary>
    public static IHostApplicationBuilder AddServiceDatabase<TContext>(this IHostApplicationBuilder builder, string connectionName)
        where TContext : DbContext
    {
        builder.AddNpgsqlDbContext<TContext>(connectionName, configureDbContextOptions: options =>
            // Migrations are written by hand (the EF design-time package is not in our registry), so there is no model
            // snapshot to compare with; tests/Douyin.IntegrationTests/Schema checks the migrated schema against the model.
            options.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning)));
        builder.Services.AddMigration<TContext>();
        return builder;
    }
}
