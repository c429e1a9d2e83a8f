using Douyin.Chat.Infrastructure;
using Douyin.Feed.Infrastructure;
using Douyin.Social.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Douyin.IntegrationTests.Schema;

/// <summary>
/// Each service's generated baseline migration replaced hand-written ones. A database deployed before it (schema and
/// history as Schema/Legacy/*.sql) must keep its rows through the app's migrator and end with the schema a new
/// database gets from the baseline.
/// </summary>
public sealed class BaselineMigrationTests(PostgresServerFixture postgres) : IClassFixture<PostgresServerFixture>
{
    static readonly Dictionary<string, Action<IHostApplicationBuilder>> Services = new()
    {
        ["feeddb"] = b => b.AddServiceDatabase<FeedDbContext>("feeddb"),
        ["socialdb"] = b => b.AddServiceDatabase<SocialDbContext>("socialdb"),
        ["chatdb"] = b => b.AddServiceDatabase<ChatDbContext>("chatdb"),
    };

    // Rows an old release wrote, leaving out the columns that have database defaults, as bench/Douyin.Bench.DataGen does.
    static readonly Dictionary<string, string> OldRows = new()
    {
        ["feeddb"] = """
            INSERT INTO videos (id, author_id, title, play_path, cover_path, created_at) VALUES (1, 7, 'before the baseline', 'v/1.mp4', 'c/1.jpg', now());
            INSERT INTO favorites (user_id, video_id, created_at) VALUES (8, 1, now());
            INSERT INTO comments (id, video_id, user_id, content, created_at) VALUES (2, 1, 8, 'first!', now());
            INSERT INTO integration_event_log VALUES ('5d0f6a3e-0d6c-4b39-9f4e-0c3a7a1d2b10', 'VideoLikedIntegrationEvent', '{"videoId": 1}', 0, 0, now());
            """,
        ["socialdb"] = """
            INSERT INTO users (id, name, normalized_name, password_hash, created_at) VALUES (7, 'alice', 'ALICE', 'hash', now()), (8, 'bob', 'BOB', 'hash', now());
            INSERT INTO follows VALUES (8, 7, now());
            INSERT INTO integration_event_log VALUES ('5d0f6a3e-0d6c-4b39-9f4e-0c3a7a1d2b11', 'UserFollowedIntegrationEvent', '{}', 2, 1, now());
            INSERT INTO integration_event_inbox VALUES ('5d0f6a3e-0d6c-4b39-9f4e-0c3a7a1d2b10', 'VideoLikedIntegrationEventHandler', now());
            """,
        ["chatdb"] = """
            INSERT INTO conversations VALUES (7, 8, 1700000000000);
            INSERT INTO messages VALUES (3, 7, 8, 8, 7, 'hello', 1700000000000);
            """,
    };

    public static TheoryData<string> Databases => ["feeddb", "socialdb", "chatdb"];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task ADatabaseOfTheHandWrittenMigrationsKeepsItsRowsAndEndsWithTheBaselinesSchema(string database)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var legacy = await postgres.CreateDatabaseAsync($"legacy_{database}", ct);
        await ExecuteAsync(legacy, await LegacyScriptAsync(database, ct) + OldRows[database], ct);
        var oldHistory = await QueryAsync(legacy, """SELECT "MigrationId" FROM "__EFMigrationsHistory" """, ct);
        var oldColumns = await ColumnsAsync(legacy, ct);
        var rowsBefore = await TableContentsAsync(legacy, oldColumns, ct);

        await MigrateAsync(database, legacy, ct);

        // The old rows as they were (in the old columns: later migrations may add some).
        Assert.Equal(rowsBefore, await TableContentsAsync(legacy, oldColumns, ct));
        var history = await QueryAsync(legacy, """SELECT "MigrationId" FROM "__EFMigrationsHistory" """, ct);
        // The old ids stay; the baseline is recorded, not run; migrations made after it run.
        Assert.Superset(oldHistory.ToHashSet(), history.ToHashSet());
        var added = history.Except(oldHistory).Order(StringComparer.Ordinal).ToList();
        Assert.True(added is [var baseline, ..] && baseline.EndsWith("_Baseline", StringComparison.Ordinal), string.Join(", ", added));

        var fresh = await postgres.CreateDatabaseAsync($"fresh_{database}", ct);
        await MigrateAsync(database, fresh, ct);
        Assert.Equal(await SchemaAsync(fresh, ct), await SchemaAsync(legacy, ct));
    }

    [Fact]
    public async Task ADatabaseWithOnlySomeOfTheReplacedMigrationsIsRefusedAndLeftAlone()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var ct = timeout.Token;
        var database = "socialdb";
        var partial = await postgres.CreateDatabaseAsync($"partial_{database}", ct);
        var script = await LegacyScriptAsync(database, ct);
        await ExecuteAsync(partial, script[..(script.IndexOf("COMMIT;", StringComparison.Ordinal) + "COMMIT;".Length)], ct); // InitialCreate only
        var schemaBefore = await SchemaAsync(partial, ct);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => MigrateAsync(database, partial, ct));

        Assert.Contains("20261122000000_Relations", refused.Message);
        Assert.Equal(schemaBefore, await SchemaAsync(partial, ct));
        Assert.Equal(["20261121000000_InitialCreate"], await QueryAsync(partial, """SELECT "MigrationId" FROM "__EFMigrationsHistory" """, ct));
    }

    /// <summary>Starts a host with the service's database registration, as the service does: its migrator runs at start.</summary>
    static async Task MigrateAsync(string database, string connectionString, CancellationToken cancellationToken)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{database}"] = connectionString });
        Services[database](builder);
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        await host.StopAsync(cancellationToken);
    }

    static Task<string> LegacyScriptAsync(string database, CancellationToken cancellationToken) =>
        File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Schema", "Legacy", $"{database}.sql"), cancellationToken);

    /// <summary>
    /// Columns (with types, nullability and defaults, not their order: a column added later stays last in an old
    /// database), indexes, constraints, functions, triggers, sequences and views of the public schema.
    /// </summary>
    static Task<List<string>> SchemaAsync(string connectionString, CancellationToken cancellationToken) => QueryAsync(connectionString, """
        SELECT format('column %s.%s %s%s%s', c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
                      CASE WHEN a.attnotnull THEN ' not null' ELSE '' END, ' default ' || pg_get_expr(d.adbin, d.adrelid))
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
        UNION ALL SELECT format('constraint %s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        UNION ALL SELECT 'function ' || oid::regprocedure FROM pg_proc WHERE pronamespace = 'public'::regnamespace
        UNION ALL SELECT format('trigger %s %s', tgrelid::regclass, tgname) FROM pg_trigger WHERE NOT tgisinternal
        UNION ALL SELECT format('relation %s %s', relkind, relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('S', 'v', 'm')
        ORDER BY 1
        """, cancellationToken);

    /// <summary>The columns of every table but the migration history, in their order.</summary>
    static async Task<Dictionary<string, string>> ColumnsAsync(string connectionString, CancellationToken cancellationToken) =>
        (await QueryAsync(connectionString, """
            SELECT table_name || ' ' || string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__EFMigrationsHistory'
            GROUP BY table_name ORDER BY 1
            """, cancellationToken))
        .Select(line => line.Split(' ', 2)).ToDictionary(parts => parts[0], parts => parts[1]);

    /// <summary>Every row of the tables named in <paramref name="columns"/>, those columns only, as text.</summary>
    static async Task<List<string>> TableContentsAsync(string connectionString, Dictionary<string, string> columns, CancellationToken cancellationToken)
    {
        var rows = new List<string>();
        foreach (var (table, list) in columns)
        {
            rows.AddRange((await QueryAsync(connectionString, $"SELECT ROW({list})::text FROM \"{table}\" ORDER BY 1", cancellationToken)).Select(r => $"{table} {r}"));
        }
        Assert.NotEmpty(rows);
        return rows;
    }

    static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    static async Task<List<string>> QueryAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var values = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
