using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Douyin.ServiceDefaults.Data;

/// <summary>
/// The context <c>dotnet ef</c> works with: the model on the Npgsql provider and a placeholder server, since
/// <c>migrations add</c> and <c>migrations script</c> never connect (give <c>database update</c> a <c>--connection</c>).
/// Without it the tool would build the service's host, which wants the AppHost's connection strings for everything.
/// A service derives it once next to its DbContext.
/// </summary>
public abstract class NpgsqlDesignTimeDbContextFactory<TContext> : IDesignTimeDbContextFactory<TContext> where TContext : DbContext
{
    public TContext CreateDbContext(string[] args) =>
        (TContext)Activator.CreateInstance(typeof(TContext), new DbContextOptionsBuilder<TContext>().UseNpgsql("Host=localhost").Options)!;
}
