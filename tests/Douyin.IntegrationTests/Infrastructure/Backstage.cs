using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Douyin.Api.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace Douyin.IntegrationTests.Infrastructure;

/// <summary>Direct looks behind the public edge that tests of every service share: one value from a database, a queue's state.</summary>
public static class Backstage
{
    /// <summary>The value the AppHost gave one of its parameters (the keys it hands the services).</summary>
    public static async Task<string> ParameterAsync(this DouyinAppFixture fixture, string name) =>
        (await fixture.App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .Single(p => p.Name == name).GetValueAsync(CancellationToken.None))!;

    /// <summary>A client of one service's /internal endpoints that presents the service credential, through the services' own handler.</summary>
    public static async Task<HttpClient> CreateInternalClientAsync(this DouyinAppFixture fixture, string resource)
    {
        var credential = Options.Create(new ServiceCredentialOptions { Key = await fixture.ParameterAsync("service-key") });
        return new HttpClient(new ServiceCredentialMessageHandler(credential) { InnerHandler = new HttpClientHandler() })
        {
            BaseAddress = fixture.App.GetEndpoint(resource),
        };
    }

    public static async Task<long> ScalarAsync(this DouyinAppFixture fixture, string database, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The rows of a two-column query of ids (such as (user_id, video_id)) whose one parameter is an id array.</summary>
    public static async Task<List<(long, long)>> PairsAsync(this DouyinAppFixture fixture, string database, string sql, long[] ids)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = ids } } };
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }
        return rows;
    }

    /// <summary>A (text, count) query whose one parameter is an id array, as a dictionary: how often each text is stored.</summary>
    public static async Task<Dictionary<string, long>> TextCountsAsync(this DouyinAppFixture fixture, string database, string sql, long[] ids)
    {
        await using var connection = new NpgsqlConnection(await fixture.App.GetConnectionStringAsync(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = ids } } };
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new Dictionary<string, long>();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }
        return counts;
    }

    /// <summary>Messages in a queue that no consumer holds (RabbitMQ counts ready messages only), and its consumers.</summary>
    public static async Task<(uint Ready, uint Consumers)> QueueAsync(this DouyinAppFixture fixture, string queue)
    {
        await using var connection = await fixture.ConnectToBrokerAsync();
        await using var channel = await connection.CreateChannelAsync();
        var state = await channel.QueueDeclarePassiveAsync(queue);
        return (state.MessageCount, state.ConsumerCount);
    }

    /// <summary>A connection to the app's Redis that may send admin commands (FLUSHALL).</summary>
    public static async Task<ConnectionMultiplexer> ConnectToRedisAsync(this DouyinAppFixture fixture) =>
        await ConnectionMultiplexer.ConnectAsync((await fixture.App.GetConnectionStringAsync("cache"))! + ",allowAdmin=true");

    public static async Task<IConnection> ConnectToBrokerAsync(this DouyinAppFixture fixture) =>
        await new ConnectionFactory { Uri = new Uri((await fixture.App.GetConnectionStringAsync("messaging"))!) }.CreateConnectionAsync();
}
