using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>
/// The storage account's Blob service. Mirrors Azure.Storage.Blobs' BlobServiceClient where we use it,
/// so that swapping in the SDK later is mechanical.
/// </summary>
public sealed class BlobServiceClient
{
    readonly BlobTransport _transport;

    /// <param name="connectionString">Any form <see cref="BlobConnectionInfo.Parse"/> accepts.</param>
    public BlobServiceClient(string connectionString, TimeProvider? timeProvider = null)
        : this(BlobConnectionInfo.Parse(connectionString), timeProvider)
    {
    }

    public BlobServiceClient(BlobConnectionInfo connection, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _transport = new(connection, timeProvider ?? TimeProvider.System);
    }

    public Uri Uri => _transport.GetUri("");

    public BlobContainerClient GetBlobContainerClient(string blobContainerName) => new(_transport, blobContainerName);

    /// <summary>Lists containers page by page (List Containers), following continuation markers.</summary>
    public async IAsyncEnumerable<BlobContainerItem> GetBlobContainersAsync(string? prefix = null, int? pageSizeHint = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? marker = null;
        do
        {
            var query = "comp=list"
                + (prefix is null ? "" : $"&prefix={Uri.EscapeDataString(prefix)}")
                + (pageSizeHint is { } size ? $"&maxresults={size}" : "")
                + (marker is null ? "" : $"&marker={Uri.EscapeDataString(marker)}");
            var page = await BlobTelemetry.TraceAsync("BlobServiceClient.GetBlobContainers", null, null, async () =>
            {
                using var request = _transport.CreateRequest(HttpMethod.Get, "", query);
                using var response = await _transport.SendAsync(request, cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await XDocument.LoadAsync(body, LoadOptions.None, cancellationToken);
            });

            foreach (var name in page.Descendants("Container").Select(c => c.Element("Name")?.Value).OfType<string>())
            {
                yield return new BlobContainerItem(name);
            }
            marker = page.Root?.Element("NextMarker")?.Value is { Length: > 0 } next ? next : null;
        }
        while (marker is not null);
    }
}
