using System.Buffers;
using System.Text;
using System.Xml.Linq;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>One block blob; mirrors Azure.Storage.Blobs' BlobClient where we use it.</summary>
public sealed class BlobClient
{
    const int DefaultBlockSize = 4 * 1024 * 1024;

    readonly BlobTransport _transport;
    readonly string _path;

    internal BlobClient(BlobTransport transport, string blobContainerName, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _transport = transport;
        BlobContainerName = blobContainerName;
        Name = name;
        // Escape each segment but keep '/', the virtual directory separator.
        _path = $"{blobContainerName}/{string.Join('/', name.Split('/').Select(Uri.EscapeDataString))}";
    }

    public string BlobContainerName { get; }
    public string Name { get; }
    public Uri Uri => _transport.GetUri(_path);

    /// <summary>
    /// Uploads <paramref name="content"/> from its current position to the end, replacing any existing blob.
    /// Streams: at most one block is held in memory, whatever the content's length.
    /// </summary>
    public Task<BlobContentInfo> UploadAsync(Stream content, BlobUploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= new();
        var blockSize = options.TransferOptions.MaximumTransferSize ?? DefaultBlockSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1, nameof(options));
        return BlobTelemetry.TraceAsync("BlobClient.Upload", BlobContainerName, Name, () => UploadCoreAsync(content, options, blockSize, cancellationToken));
    }

    async Task<BlobContentInfo> UploadCoreAsync(Stream content, BlobUploadOptions options, int blockSize, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
        try
        {
            var block = buffer.AsMemory(0, blockSize);
            var filled = await content.ReadAtLeastAsync(block, blockSize, throwOnEndOfStream: false, cancellationToken);
            if (filled < blockSize)
            {
                // All of it fits in one block: a single Put Blob.
                using var putBlob = _transport.CreateRequest(HttpMethod.Put, _path);
                putBlob.Headers.Add("x-ms-blob-type", "BlockBlob");
                AddBlobHeaders(putBlob, options);
                putBlob.Content = new ReadOnlyMemoryContent(block[..filled]);
                return await SendForContentInfoAsync(putBlob, cancellationToken);
            }

            // Ids are unique per upload so that concurrent uploads of one name cannot swap each other's blocks.
            var uploadId = Guid.NewGuid().ToString("N");
            var blockIds = new List<string>();
            while (filled > 0)
            {
                var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{uploadId}-{blockIds.Count:D6}"));
                using var putBlock = _transport.CreateRequest(HttpMethod.Put, _path, $"comp=block&blockid={Uri.EscapeDataString(blockId)}");
                putBlock.Content = new ReadOnlyMemoryContent(block[..filled]);
                (await _transport.SendAsync(putBlock, cancellationToken)).Dispose();
                blockIds.Add(blockId);
                filled = await content.ReadAtLeastAsync(block, blockSize, throwOnEndOfStream: false, cancellationToken);
            }

            using var putBlockList = _transport.CreateRequest(HttpMethod.Put, _path, "comp=blocklist");
            AddBlobHeaders(putBlockList, options);
            var blockList = new XElement("BlockList", blockIds.Select(id => new XElement("Latest", id)));
            putBlockList.Content = new StringContent(blockList.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "application/xml");
            return await SendForContentInfoAsync(putBlockList, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Starts downloading the blob, or <paramref name="range"/> of it (status 206). The body is not
    /// buffered: it streams from the connection as <see cref="BlobDownloadStreamingResult.Content"/> is read
    /// (so this call's span ends when the headers arrive).
    /// </summary>
    public Task<BlobDownloadStreamingResult> DownloadStreamingAsync(HttpRange? range = null, CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobClient.DownloadStreaming", BlobContainerName, Name, async () =>
        {
            using var request = _transport.CreateRequest(HttpMethod.Get, _path);
            if (range is { SuffixLength: { } suffix })
            {
                // The Blob service has no suffix ranges (bytes=-N). Resolve it against the current length,
                // and pin the download to that version of the blob with If-Match.
                var properties = await GetPropertiesCoreAsync(cancellationToken);
                range = properties.ContentLength > 0 ? new HttpRange(Math.Max(0, properties.ContentLength - suffix)) : null;
                request.Headers.TryAddWithoutValidation("If-Match", properties.ETag);
            }
            if (range is { } r)
            {
                request.Headers.Add("x-ms-range", r.ToHeaderValue());
            }

            var response = await _transport.SendAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
            try
            {
                return new BlobDownloadStreamingResult(response, await response.Content.ReadAsStreamAsync(cancellationToken));
            }
            catch
            {
                response.Dispose();
                throw;
            }
        });

    public Task<BlobProperties> GetPropertiesAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobClient.GetProperties", BlobContainerName, Name, () => GetPropertiesCoreAsync(cancellationToken));

    /// <returns><c>false</c> when the blob or its container does not exist.</returns>
    public Task<bool> ExistsAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobClient.Exists", BlobContainerName, Name, async () =>
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

    /// <returns><c>true</c> if this call deleted the blob, <c>false</c> if it (or its container) did not exist.</returns>
    public Task<bool> DeleteIfExistsAsync(CancellationToken cancellationToken = default) =>
        BlobTelemetry.TraceAsync("BlobClient.DeleteIfExists", BlobContainerName, Name, async () =>
        {
            using var request = _transport.CreateRequest(HttpMethod.Delete, _path);
            try
            {
                using var response = await _transport.SendAsync(request, cancellationToken);
                return true;
            }
            catch (BlobRequestFailedException ex) when (ex.Status == 404)
            {
                return false;
            }
        });

    async Task<BlobProperties> GetPropertiesCoreAsync(CancellationToken cancellationToken)
    {
        using var request = _transport.CreateRequest(HttpMethod.Head, _path);
        using var response = await _transport.SendAsync(request, cancellationToken);
        var headers = response.Content.Headers;
        return new(headers.ContentLength ?? 0, ResponseHeaders.Raw(headers, "Content-Type"), ResponseHeaders.Raw(response.Headers, "Cache-Control"),
            ResponseHeaders.ETag(response), ResponseHeaders.LastModified(response));
    }

    async Task<BlobContentInfo> SendForContentInfoAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(request, cancellationToken);
        return new(ResponseHeaders.ETag(response), ResponseHeaders.LastModified(response));
    }

    static void AddBlobHeaders(HttpRequestMessage request, BlobUploadOptions options)
    {
        if (options.ContentType is { } contentType)
        {
            request.Headers.Add("x-ms-blob-content-type", contentType);
        }
        if (options.CacheControl is { } cacheControl)
        {
            request.Headers.Add("x-ms-blob-cache-control", cacheControl);
        }
    }
}
