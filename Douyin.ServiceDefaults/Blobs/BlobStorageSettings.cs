namespace Douyin.ServiceDefaults.Blobs;

/// <summary>
/// Settings for <c>AddAzureBlobServiceClient</c>, bound like Aspire's AzureStorageBlobsSettings from
/// <c>Aspire:Azure:Storage:Blobs</c> and <c>Aspire:Azure:Storage:Blobs:&lt;name&gt;</c>.
/// </summary>
public sealed class BlobStorageSettings
{
    /// <summary>
    /// A storage connection string, or the service URI itself. Overridden by <c>ConnectionStrings:&lt;name&gt;</c> when that is set.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Used when there is no connection string. It must carry a SAS query: Azure.Identity is not available here.</summary>
    public Uri? ServiceUri { get; set; }

    public bool DisableHealthChecks { get; set; }

    public bool DisableTracing { get; set; }
}
