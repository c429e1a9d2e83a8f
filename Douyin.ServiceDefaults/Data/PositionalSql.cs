using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Douyin.ServiceDefaults.Data;

/// <summary>
/// Hand-written SQL on a request's hot path, with positional parameters (<c>$1</c>, <c>$2</c>, …), on the DbContext's
/// own connection and transaction and inside its execution strategy (so it retries as EF's own commands do). EF Core
/// generates the SQL of every <c>SqlQuery</c>/<c>ExecuteSql</c> call anew, and Npgsql then parses it to rewrite EF's
/// named parameters: under load that was about 150 KB of garbage and most of Chat's CPU per message sent. With
/// positional parameters neither happens, and Npgsql's automatic preparation still applies. LINQ queries do not need
/// this: EF caches their SQL.
/// </summary>
public static class PositionalSql
{
    /// <summary>Runs a statement; returns the rows it affected.</summary>
    public static Task<int> ExecutePositionalAsync(this DatabaseFacade database, string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        RunAsync(database, sql, parameters, (command, ct) => command.ExecuteNonQueryAsync(ct), cancellationToken);

    /// <summary>Runs a query; returns the first column of every row.</summary>
    public static Task<List<T>> QueryPositionalAsync<T>(this DatabaseFacade database, string sql, CancellationToken cancellationToken, params object?[] parameters) =>
        RunAsync(database, sql, parameters, async (command, ct) =>
        {
            var values = new List<T>();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                values.Add(reader.GetFieldValue<T>(0));
            }
            return values;
        }, cancellationToken);

    static Task<TResult> RunAsync<TResult>(
        DatabaseFacade database, string sql, object?[] parameters, Func<NpgsqlCommand, CancellationToken, Task<TResult>> run, CancellationToken cancellationToken) =>
        // Inside a transaction the outer strategy (the one that opened it) owns retries; this runs once.
        database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            await database.OpenConnectionAsync(ct);
            try
            {
                await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)database.GetDbConnection())
                {
                    Transaction = (NpgsqlTransaction?)database.CurrentTransaction?.GetDbTransaction(),
                };
                foreach (var value in parameters)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
                }
                return await run(command, ct);
            }
            finally
            {
                await database.CloseConnectionAsync();
            }
        }, cancellationToken);
}
