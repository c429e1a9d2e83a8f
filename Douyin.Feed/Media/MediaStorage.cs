using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Douyin.Api.Media;

namespace Douyin.Feed.Media;

/// <summary>The media container: uploads go in as named blobs that Douyin.Web serves under <see cref="MediaPaths.UrlPrefix"/>.</summary>
public sealed class MediaStorage(BlobServiceClient blobs, IOptions<MediaOptions> options)
{
    readonly BlobContainerClient _container = blobs.GetBlobContainerClient(MediaPaths.ContainerName);
    Task? _created;

    public async Task UploadAsync(string blobName, string filePath, string contentType, CancellationToken cancellationToken)
    {
        // Created once per process, on first use, so the service starts even while storage is still coming up.
        var created = _created ??= _container.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        try
        {
            await created;
        }
        catch
        {
            _created = null; // try again on the next upload
            throw;
        }
        await using var file = File.OpenRead(filePath);
        await _container.GetBlobClient(blobName).UploadAsync(file, new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType, CacheControl = options.Value.CacheControl },
        }, cancellationToken);
    }

    public Task DeleteAsync(string blobName, CancellationToken cancellationToken) =>
        _container.GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
}
