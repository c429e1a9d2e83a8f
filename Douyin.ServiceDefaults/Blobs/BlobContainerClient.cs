namespace Douyin.ServiceDefaults.Blobs;

/// <summary>One blob container; mirrors Azure.Storage.Blobs' BlobContainerClient where we use it.</summary>
public sealed class BlobContainerClient
{
    readonly BlobTransport _transport;
    const string Container = "restype=container";

    internal BlobContainerClient(BlobTransport transport, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _transport = transport;
        Name = name;
    }

    public string Name { get; }

    public Uri Uri => _transport.GetUri(Name);

    public BlobClient GetBlobClient(string blobName) => new(_transport, Name, blobName);

    /// <returns><c>true</c> if this call created the container, <c>false</c> if it already existed.</returns>
    public Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobContainerClient.CreateIfNotExists", Name, null, async () =>
        {
            using var request = _transport.CreateRequest(HttpMethod.Put, Name, Container);
            try
            {
                using var response = await _transport.SendAsync(request, cancellationToken);
                return true;
            }
            catch (BlobRequestFailedException ex) when (ex.ErrorCode == "ContainerAlreadyExists")
            {
                return false;
            }
        });

    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobContainerClient.Exists", Name, null, async () =>
        {
            try
            {
                await GetPropertiesCoreAsync(cancellationToken);
                return true;
            }
            catch (BlobRequestFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        });

    public Task<BlobContainerProperties> GetPropertiesAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobContainerClient.GetProperties", Name, null, () => GetPropertiesCoreAsync(cancellationToken));

    async Task<BlobContainerProperties> GetPropertiesCoreAsync(CancellationToken cancellationToken)
    {
        using var request = _transport.CreateRequest(HttpMethod.Head, Name, Container);
        using var response = await _transport.SendAsync(request, cancellationToken);
        return new(ResponseHeaders.ETag(response), ResponseHeaders.LastModified(response));
    }
}
