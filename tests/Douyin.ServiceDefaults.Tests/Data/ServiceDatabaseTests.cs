using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Douyin.ServiceDefaults.Tests.Data;

/// <summary>What AddServiceDatabase adds to Aspire's AddNpgsqlDbContext (no server needed: nothing here connects).</summary>
public sealed class ServiceDatabaseTests
{
    [Fact]
    public void TheContextGetsOurPoolDefaultsAndQuickRetries()
    {
        using var host = Build();
        using var scope = host.Services.CreateScope();
        var context = scope.ServiceProvider.GetRequiredService<ItemsContext>();

        var connection = new NpgsqlConnectionStringBuilder(context.Database.GetConnectionString());
        Assert.Equal((ServiceDatabaseExtensions.DefaultMaxPoolSize, ServiceDatabaseExtensions.DefaultMaxAutoPrepare, true),
            (connection.MaxPoolSize, connection.MaxAutoPrepare, connection.NoResetOnClose));
        var strategy = context.Database.CreateExecutionStrategy();
        Assert.True(strategy.RetriesOnFailure);
        Assert.Equal(3, MaxRetryCount(strategy));
    }

    [Fact]
    public void AspiresDisableRetryStillTurnsRetriesOff()
    {
        using var host = Build(new() { ["Aspire:Npgsql:EntityFrameworkCore:PostgreSQL:DisableRetry"] = "true" });
        using var scope = host.Services.CreateScope();

        Assert.False(scope.ServiceProvider.GetRequiredService<ItemsContext>().Database.CreateExecutionStrategy().RetriesOnFailure);
    }

    [Fact]
    public void TheHealthCheckKeepsAspiresNameWithOurTagAndTimeout()
    {
        using var host = Build();

        var check = Assert.Single(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations);
        Assert.Equal((nameof(ItemsContext), TimeSpan.FromSeconds(5)), (check.Name, check.Timeout));
        Assert.Contains("ready", check.Tags);
    }

    [Fact]
    public void WithoutACollectorAspireRecordsNoNpgsqlTelemetry()
    {
        using var host = Build();

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void WithACollectorAspireTracesAndMeasuresNpgsql()
    {
        using var host = Build(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" });

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
    }

    static IHost Build(Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:itemsdb"] = "Host=db.invalid;Database=items" });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddServiceDatabase<ItemsContext>("itemsdb");
        return builder.Build();
    }

    // ExecutionStrategy keeps its retry count to itself.
    static int MaxRetryCount(IExecutionStrategy strategy) =>
        (int)typeof(ExecutionStrategy).GetProperty("MaxRetryCount", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!.GetValue(strategy)!;

    public sealed class ItemsContext(DbContextOptions<ItemsContext> options) : DbContext(options);
}
