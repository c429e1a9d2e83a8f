using Azure.Core;
using Azure.Storage.Blobs;
using Douyin.ServiceDefaults.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Registers Azure.Storage.Blobs' <see cref="BlobServiceClient"/> the way Aspire.Azure.Storage.Blobs does
/// (aspire-conventions.md §5.4). That package is not served by our registry; this keeps its call, keys and health-check name.
/// </summary>
public static class BlobClientExtensions
{
    const string ConfigurationSection = "Aspire:Azure:Storage:Blobs";
    const string HealthCheckName = "Azure_BlobServiceClient";

    /// <summary>
    /// Registers a singleton <see cref="BlobServiceClient"/> for <c>ConnectionStrings:<paramref name="connectionName"/></c> and the
    /// "Azure_BlobServiceClient" readiness check. Nothing is parsed or connected until the client is first resolved, as in Aspire,
    /// so a host that never touches blobs starts without them.
    /// </summary>
    public static void AddAzureBlobServiceClient(this IHostApplicationBuilder builder, string connectionName,
        Action<BlobStorageSettings>? configureSettings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        var settings = BindSettings(builder.Configuration, connectionName, configureSettings);
        var options = ClientOptions(builder.Configuration, connectionName);
        builder.Services.AddSingleton(_ => CreateClient(settings, options, connectionName));

        if (!settings.DisableHealthChecks && builder.Properties.TryAdd(HealthCheckName, true))
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(HealthCheckName,
                sp => new BlobServiceHealthCheck(sp.GetRequiredService<BlobServiceClient>()), failureStatus: null, tags: ["ready"]));
        }
        if (!settings.DisableTracing)
        {
            // Azure.Storage.Blobs' spans are stable: they come on ActivitySources "Azure.*" without Aspire's experimental switch.
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource("Azure.*"));
        }
    }

    /// <summary>
    /// The SDK's <see cref="BlobClientOptions"/> from <c>Aspire:Azure:Storage:Blobs:ClientOptions</c> (then its
    /// <c>{connectionName}</c> child), Aspire's keys. Our defaults retry less than the SDK's (3 retries from 0.8 s, up to
    /// a minute): a media read or an upload while storage is down should fail in about a second, not hold the request.
    /// </summary>
    internal static BlobClientOptions ClientOptions(IConfiguration configuration, string connectionName)
    {
        var options = new BlobClientOptions();
        options.Retry.Mode = RetryMode.Exponential;
        options.Retry.MaxRetries = 2;
        options.Retry.Delay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        var section = configuration.GetSection(ConfigurationSection);
        section.GetSection("ClientOptions").Bind(options);
        section.GetSection(connectionName).GetSection("ClientOptions").Bind(options);
        return options;
    }

    static BlobServiceClient CreateClient(BlobStorageSettings settings, BlobClientOptions options, string connectionName)
    {
        // Aspire's rule: a connection string that is an absolute URI is the service URI.
        if (Uri.TryCreate(settings.ConnectionString, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return FromServiceUri(uri, options, connectionName);
        }
        if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            return new BlobServiceClient(settings.ConnectionString, options);
        }
        return settings.ServiceUri is { } serviceUri
            ? FromServiceUri(serviceUri, options, connectionName)
            : throw new InvalidOperationException(
                $"Blob storage has no connection string: set ConnectionStrings:{connectionName} (environment variable ConnectionStrings__{connectionName}).");
    }

    /// <summary>
    /// Aspire's order for a client integration's settings, later wins: the section, then its <c>{connectionName}</c>
    /// child, then <c>ConnectionStrings:{connectionName}</c>, then the caller's delegate.
    /// </summary>
    static BlobStorageSettings BindSettings(IConfiguration configuration, string connectionName, Action<BlobStorageSettings>? configure)
    {
        var settings = new BlobStorageSettings();
        var section = configuration.GetSection(ConfigurationSection);
        section.Bind(settings);
        section.GetSection(connectionName).Bind(settings);
        if (configuration.GetConnectionString(connectionName) is { Length: > 0 } connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configure?.Invoke(settings);
        return settings;
    }

    // Aspire signs a bare URI with DefaultAzureCredential; without Azure.Identity only a SAS in its query can authenticate.
    static BlobServiceClient FromServiceUri(Uri serviceUri, BlobClientOptions options, string connectionName) =>
        serviceUri.Query.Length > 1
            ? new BlobServiceClient(serviceUri, options)
            : throw new NotSupportedException(
                $"The blob endpoint '{serviceUri.AbsoluteUri}' of '{connectionName}' has no credential. Azure.Identity is not available: " +
                "use a connection string with AccountName and AccountKey, or the service URI with a SAS query.");

    sealed class BlobServiceHealthCheck(BlobServiceClient client) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                // One page of at most one container proves reachability and credentials, as Aspire's check does.
                await foreach (var _ in client.GetBlobContainersAsync(cancellationToken: cancellationToken).AsPages(pageSizeHint: 1))
                {
                    break;
                }
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
            }
        }
    }
}
