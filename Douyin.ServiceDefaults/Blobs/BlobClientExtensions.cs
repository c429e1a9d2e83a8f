using Douyin.ServiceDefaults.Hosting;
using Douyin.ServiceDefaults.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers the blob clients the way Aspire.Azure.Storage.Blobs does (aspire-conventions.md §5.4),
/// so services keep the same calls if the Aspire package becomes restorable.
/// </summary>
public static class BlobClientExtensions
{
    const string ConfigurationSection = "Aspire:Azure:Storage:Blobs";

    /// <summary>Registers a singleton <see cref="BlobServiceClient"/> and the "Azure_BlobServiceClient" health check.</summary>
    public static void AddAzureBlobServiceClient(this IHostApplicationBuilder builder, string connectionName,
        Action<BlobStorageSettings>? configureSettings = null)
    {
        var settings = BindSettings(builder, connectionName, configureSettings);
        builder.Services.AddSingleton(sp => new BlobServiceClient(ParseConnection(settings, connectionName), sp.GetService<TimeProvider>()));
        AddHealthCheckAndTracing(builder, settings, "Azure_BlobServiceClient", sp =>
        {
            var client = sp.GetRequiredService<BlobServiceClient>();
            // One page of at most one container proves reachability and credentials.
            return async cancellationToken =>
            {
                await foreach (var _ in client.GetBlobContainersAsync(pageSizeHint: 1, cancellationToken: cancellationToken))
                {
                    break;
                }
            };
        });
    }

    [Obsolete("Use AddAzureBlobServiceClient instead. This method will be removed in a future version.")]
    public static void AddAzureBlobClient(this IHostApplicationBuilder builder, string connectionName,
        Action<BlobStorageSettings>? configureSettings = null) =>
        builder.AddAzureBlobServiceClient(connectionName, configureSettings);

    /// <summary>
    /// Registers a singleton <see cref="BlobContainerClient"/> and the "Azure_BlobContainerClient" health check.
    /// The container comes from <c>ContainerName=</c> in the connection string, else from <see cref="BlobStorageSettings.BlobContainerName"/>.
    /// </summary>
    public static void AddAzureBlobContainerClient(this IHostApplicationBuilder builder, string connectionName,
        Action<BlobStorageSettings>? configureSettings = null)
    {
        var settings = BindSettings(builder, connectionName, configureSettings);
        builder.Services.AddSingleton(sp =>
        {
            var connection = ParseConnection(settings, connectionName);
            var containerName = connection.ContainerName ?? settings.BlobContainerName ?? throw new InvalidOperationException(
                $"A BlobContainerClient could not be configured: no container name. Add 'ContainerName=' to 'ConnectionStrings:{connectionName}' " +
                $"or set 'BlobContainerName' in the '{ConfigurationSection}:{connectionName}' configuration section.");
            return new BlobServiceClient(connection, sp.GetService<TimeProvider>()).GetBlobContainerClient(containerName);
        });
        AddHealthCheckAndTracing(builder, settings, "Azure_BlobContainerClient", sp =>
        {
            var container = sp.GetRequiredService<BlobContainerClient>();
            return async cancellationToken => await container.GetPropertiesAsync(cancellationToken);
        });
    }

    static BlobStorageSettings BindSettings(IHostApplicationBuilder builder, string connectionName, Action<BlobStorageSettings>? configureSettings)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        return ClientSettings.Bind(builder, ConfigurationSection, connectionName, configureSettings);
    }

    // Parsed when the client is first resolved, as Aspire does, so a host that never uses blobs still starts.
    static BlobConnectionInfo ParseConnection(BlobStorageSettings settings, string connectionName) =>
        string.IsNullOrWhiteSpace(settings.ConnectionString)
            ? throw ClientSettings.Missing("Blob storage", connectionName)
            : BlobConnectionInfo.Parse(settings.ConnectionString);

    static void AddHealthCheckAndTracing(IHostApplicationBuilder builder, BlobStorageSettings settings, string healthCheckName,
        Func<IServiceProvider, Func<CancellationToken, Task>> createProbe)
    {
        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheckName,
                sp => new BlobHealthCheck(createProbe(sp)), failureStatus: null, tags: ["ready"]));
        }
        if (!settings.DisableTracing)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(BlobTelemetry.ActivitySourceName));
        }
    }

    sealed class BlobHealthCheck(Func<CancellationToken, Task> probe) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await probe(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
            }
        }
    }
}
