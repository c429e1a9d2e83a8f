using Aspire.Hosting.Testing;
using Douyin.IntegrationTests.Infrastructure;
using Douyin.Chat.Infrastructure;
using Douyin.Feed.Infrastructure;
using Douyin.Social.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace Douyin.IntegrationTests.Schema;

/// <summary>
/// Compares every mapped column of the model with the database the running app migrated (ModelSnapshotTests checks
/// the migrations against the model without a server).
/// </summary>
[Collection(DouyinAppCollection.Name)]
public sealed class MigrationSchemaTests(DouyinAppFixture fixture)
{
    [Fact]
    public Task SocialDatabaseMatchesItsModel() => AssertSchemaMatchesAsync<SocialDbContext>("socialdb", o => new SocialDbContext(o));

    [Fact]
    public Task FeedDatabaseMatchesItsModel() => AssertSchemaMatchesAsync<FeedDbContext>("feeddb", o => new FeedDbContext(o));

    [Fact]
    public Task ChatDatabaseMatchesItsModel() => AssertSchemaMatchesAsync<ChatDbContext>("chatdb", o => new ChatDbContext(o));

    async Task AssertSchemaMatchesAsync<TContext>(string database, Func<DbContextOptions<TContext>, TContext> create) where TContext : DbContext
    {
        // Unpooled: another test restarts PostgreSQL, and a pooled connection from before would be dead.
        var connectionString = new NpgsqlConnectionStringBuilder(await fixture.App.GetConnectionStringAsync(database)) { Pooling = false }.ConnectionString;
        await using var context = create(new DbContextOptionsBuilder<TContext>().UseNpgsql(connectionString).Options);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var columns = new Dictionary<(string Table, string Column), (string Type, bool Nullable)>();
        await using (var command = new NpgsqlCommand(
            "SELECT table_name, column_name, format_type(a.atttypid, a.atttypmod), is_nullable = 'YES' " +
            "FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass AND a.attname = c.column_name " +
            "WHERE c.table_schema = 'public'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[(reader.GetString(0), reader.GetString(1))] = (reader.GetString(2), reader.GetBoolean(3));
            }
        }

        var problems = new List<string>();
        foreach (var entity in context.Model.GetEntityTypes())
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                var column = property.GetColumnName(table)!;
                if (!columns.TryGetValue((table.Name, column), out var actual))
                {
                    problems.Add($"{table.Name}.{column} is in the model but not in the database");
                    continue;
                }
                if (!string.Equals(actual.Type, property.GetColumnType(), StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{table.Name}.{column} is {actual.Type} in the database but {property.GetColumnType()} in the model");
                }
                if (actual.Nullable != property.IsColumnNullable(table))
                {
                    problems.Add($"{table.Name}.{column} nullability differs (database: {actual.Nullable})");
                }
            }
        }

        Assert.Empty(problems);
    }
}
