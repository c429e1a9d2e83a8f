using System.Runtime.CompilerServices;
using System.Xml.Linq;

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

    /// <summary>Lists the container's blobs page by page (List Blobs), following continuation markers.</summary>
    public async IAsyncEnumerable<BlobItem> GetBlobsAsync(string? prefix = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        do
        {
            var query = $"{Container}&comp=list"
                + (prefix is null ? "" : $"&prefix={Uri.EscapeDataString(prefix)}")
                + (marker is null ? "" : $"&marker={Uri.EscapeDataString(marker)}");
            var page = await BlobTelemetry.TraceAsync("BlobContainerClient.GetBlobs", Name, null, async () =>
            {
                using var request = _transport.CreateRequest(HttpMethod.Get, Name, query);
                using var response = await _transport.SendAsync(request, cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken);
            });

            foreach (var blob in page.Descendants("Blob"))
            {
                if (blob.Element("Name")?.Value is { } name)
                {
                    var length = long.TryParse(blob.Element("Properties")?.Element("Content-Length")?.Value, out var n) ? n : 0;
                    yield return new BlobItem(name, length);
                }
            }
            marker = page.Root?.Element("NextMarker")?.Value is { Length: > 0 } next ? next : null;
        }
        while (marker is not null);
    }

    public Task<BlobContainerProperties> GetPropertiesAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobContainerClient.GetProperties", Name, null, () => GetPropertiesCoreAsync(cancellationToken));

    async Task<BlobContainerProperties> GetPropertiesCoreAsync(CancellationToken cancellationToken)
    {
        using var request = _transport.CreateRequest(HttpMethod.Head, Name, Container);
        using var response = await _transport.SendAsync(request, cancellationToken);
        return new(ResponseHeaders.ETag(response), ResponseHeaders.LastModified(response));
    }
}
