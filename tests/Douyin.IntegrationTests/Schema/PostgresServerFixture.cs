using Aspire.Hosting;
using Douyin.Tests.Shared;
using Npgsql;

namespace Douyin.IntegrationTests.Schema;

/// <summary>A PostgreSQL server of its own, for tests that create databases in old states (the app's would not do).</summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    LocalServer? _server;

    public async Task InitializeAsync() => _server = await LocalServer.StartAsync(b => b.AddPostgresServer("pg"));

    /// <summary>Creates an empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken)
    {
        var server = new NpgsqlConnectionStringBuilder(_server!.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
