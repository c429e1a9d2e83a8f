namespace Douyin.ServiceDefaults.Blobs;

/// <summary>
/// Settings for the blob client registrations, bound like Aspire's AzureStorageBlobsSettings from
/// <c>Aspire:Azure:Storage:Blobs</c> and <c>Aspire:Azure:Storage:Blobs:&lt;name&gt;</c>.
/// </summary>
public sealed class BlobStorageSettings : Douyin.ServiceDefaults.Hosting.IConnectionStringSettings
{
    /// <summary>Overridden by <c>ConnectionStrings:&lt;name&gt;</c> when that is set.</summary>
    public string? ConnectionString { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }

    /// <summary>Used by the container registration when the connection string has no <c>ContainerName=</c>.</summary>
    public string? BlobContainerName { get; set; }
}
