using System.Diagnostics;
using System.Xml.Linq;
using Douyin.ServiceDefaults.Blobs;
using Douyin.ServiceDefaults.Tests.Infrastructure;

namespace Douyin.ServiceDefaults.Tests.Blobs;

[Collection(AzuriteCollection.Name)]
public class BlobClientTests(AzuriteFixture azurite)
{
    readonly BlobServiceClient _service = azurite.CreateServiceClient();

    [Fact]
    public async Task CreateIfNotExistsIsIdempotent()
    {
        var container = _service.GetBlobContainerClient(NewContainerName());

        Assert.False(await container.ExistsAsync());
        Assert.True(await container.CreateIfNotExistsAsync());
        Assert.False(await container.CreateIfNotExistsAsync());
        Assert.True(await container.ExistsAsync());
        Assert.NotEmpty((await container.GetPropertiesAsync()).ETag);
    }

    [Fact]
    public async Task SmallUploadIsOnePutBlobAndReadsBackWithItsHeaders()
    {
        var blob = await NewBlobAsync();
        var content = Bytes(1000);

        var uploaded = await blob.UploadAsync(new MemoryStream(content), new BlobUploadOptions { ContentType = "video/mp4", CacheControl = "public, max-age=60" });

        using var download = await blob.DownloadStreamingAsync();
        Assert.Equal(200, download.Status);
        Assert.Equal(content, await ReadAllAsync(download.Content));
        Assert.Equal(1000, download.Details.ContentLength);
        Assert.Null(download.Details.ContentRange);
        Assert.Equal("video/mp4", download.Details.ContentType);
        Assert.Equal("public, max-age=60", download.Details.CacheControl);
        Assert.Equal(uploaded.ETag, download.Details.ETag);
        Assert.Equal(uploaded.LastModified, download.Details.LastModified);
        Assert.Empty(await GetCommittedBlockIdsAsync(blob));
    }

    [Fact]
    public async Task LargeStreamOfUnknownLengthGoesUpInBlocksAndReadsBackIdentical()
    {
        var blob = await NewBlobAsync();
        var content = Bytes(10 * 1024 * 1024 + 123);

        var uploaded = await blob.UploadAsync(new UnknownLengthStream(new MemoryStream(content)), new BlobUploadOptions
        {
            ContentType = "video/mp4",
            TransferOptions = new StorageTransferOptions { MaximumTransferSize = 1024 * 1024 },
        });

        Assert.Equal(11, (await GetCommittedBlockIdsAsync(blob)).Count);
        using var download = await blob.DownloadStreamingAsync();
        Assert.Equal(content.Length, download.Details.ContentLength);
        Assert.Equal(content, await ReadAllAsync(download.Content));
        var properties = await blob.GetPropertiesAsync();
        Assert.Equal(uploaded.ETag, properties.ETag);
        Assert.Equal("video/mp4", properties.ContentType);
        Assert.Equal(content.Length, properties.ContentLength);
    }

    [Fact]
    public async Task EmptyStreamMakesAnEmptyBlob()
    {
        var blob = await NewBlobAsync();

        await blob.UploadAsync(Stream.Null);

        using var download = await blob.DownloadStreamingAsync();
        Assert.Equal(0, download.Details.ContentLength);
        Assert.Empty(await ReadAllAsync(download.Content));
    }

    [Fact]
    public async Task ContentOfExactlyOneBlockIsCommittedAsOneBlock()
    {
        var blob = await NewBlobAsync();
        var content = Bytes(4096);

        await blob.UploadAsync(new MemoryStream(content), new BlobUploadOptions { TransferOptions = new() { MaximumTransferSize = 4096 } });

        Assert.Single(await GetCommittedBlockIdsAsync(blob));
        using var download = await blob.DownloadStreamingAsync();
        Assert.Equal(content, await ReadAllAsync(download.Content));
    }

    [Theory]
    [InlineData(0L, 100L, null, "bytes 0-99/1000")]
    [InlineData(400L, 50L, null, "bytes 400-449/1000")]
    [InlineData(900L, null, null, "bytes 900-999/1000")]
    [InlineData(0L, null, 10L, "bytes 990-999/1000")]
    [InlineData(0L, null, 5000L, "bytes 0-999/1000")]
    public async Task RangeRequestsAnswer206WithTheRequestedBytes(long offset, long? length, long? suffix, string expectedContentRange)
    {
        var blob = await NewBlobAsync();
        var content = Bytes(1000);
        var uploaded = await blob.UploadAsync(new MemoryStream(content), new BlobUploadOptions { ContentType = "video/mp4" });
        var range = suffix is { } n ? HttpRange.Suffix(n) : new HttpRange(offset, length);

        using var download = await blob.DownloadStreamingAsync(range);

        Assert.Equal(206, download.Status);
        Assert.Equal(expectedContentRange, download.Details.ContentRange);
        var (first, last) = ParseContentRange(expectedContentRange);
        Assert.Equal(content[(int)first..(int)(last + 1)], await ReadAllAsync(download.Content));
        Assert.Equal(last - first + 1, download.Details.ContentLength);
        Assert.Equal("video/mp4", download.Details.ContentType);
        Assert.Equal(uploaded.ETag, download.Details.ETag);
    }

    [Fact]
    public async Task ETagIsStableUntilTheBlobChanges()
    {
        var blob = await NewBlobAsync();
        var first = await blob.UploadAsync(new MemoryStream(Bytes(10)));

        Assert.Equal(first.ETag, (await blob.GetPropertiesAsync()).ETag);
        Assert.Equal(first.ETag, (await blob.GetPropertiesAsync()).ETag);

        var second = await blob.UploadAsync(new MemoryStream(Bytes(20)));
        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal(20, (await blob.GetPropertiesAsync()).ContentLength);
    }

    [Fact]
    public async Task DeleteIfExistsReportsWhetherItDeleted()
    {
        var blob = await NewBlobAsync();
        await blob.UploadAsync(new MemoryStream(Bytes(10)));

        Assert.True(await blob.ExistsAsync());
        Assert.True(await blob.DeleteIfExistsAsync());
        Assert.False(await blob.ExistsAsync());
        Assert.False(await blob.DeleteIfExistsAsync());

        var inMissingContainer = _service.GetBlobContainerClient(NewContainerName()).GetBlobClient("x");
        Assert.False(await inMissingContainer.ExistsAsync());
        Assert.False(await inMissingContainer.DeleteIfExistsAsync());
    }

    [Fact]
    public async Task NamesWithSpacesUnicodeAndDirectoriesRoundTrip()
    {
        var container = _service.GetBlobContainerClient(NewContainerName());
        await container.CreateIfNotExistsAsync();
        var blob = container.GetBlobClient("videos/2026/a b+c ü.mp4");

        await blob.UploadAsync(new MemoryStream(Bytes(5)));

        using var download = await blob.DownloadStreamingAsync();
        Assert.Equal(Bytes(5), await ReadAllAsync(download.Content));
        Assert.EndsWith("/videos/2026/a%20b%2Bc%20%C3%BC.mp4", blob.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task MissingBlobIs404BlobNotFound()
    {
        var blob = await NewBlobAsync();

        var download = await Assert.ThrowsAsync<BlobRequestFailedException>(() => blob.DownloadStreamingAsync());
        Assert.Equal(404, download.Status);
        Assert.Equal("BlobNotFound", download.ErrorCode);
        Assert.Contains("BlobNotFound", download.Message);

        // HEAD has no body: the code comes from the x-ms-error-code header.
        var head = await Assert.ThrowsAsync<BlobRequestFailedException>(() => blob.GetPropertiesAsync());
        Assert.Equal(404, head.Status);
        Assert.Equal("BlobNotFound", head.ErrorCode);
    }

    [Fact]
    public async Task WrongAccountKeyIs403()
    {
        var wrongKey = Convert.ToBase64String(Bytes(64));
        var service = new BlobServiceClient(
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteFixture.AccountName};AccountKey={wrongKey};BlobEndpoint={azurite.BlobEndpoint};");

        var ex = await Assert.ThrowsAsync<BlobRequestFailedException>(() => service.GetBlobContainerClient(NewContainerName()).CreateIfNotExistsAsync());

        Assert.Equal(403, ex.Status);
        // Azure answers AuthenticationFailed; Azurite 3.37 answers a bad signature with AuthorizationFailure.
        Assert.Equal("AuthorizationFailure", ex.ErrorCode);
    }

    [Fact]
    public async Task ListingContainersFollowsContinuationMarkers()
    {
        var prefix = NewContainerName();
        string[] names = [$"{prefix}-a", $"{prefix}-b", $"{prefix}-c"];
        foreach (var name in names)
        {
            await _service.GetBlobContainerClient(name).CreateIfNotExistsAsync();
        }

        var listed = new List<string>();
        await foreach (var item in _service.GetBlobContainersAsync(prefix, pageSizeHint: 2))
        {
            listed.Add(item.Name);
        }

        Assert.Equal(names, listed);
    }

    [Fact]
    public async Task OperationsAreTracedWhenSampled()
    {
        var blob = await NewBlobAsync();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BlobTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        await blob.UploadAsync(new MemoryStream(Bytes(10)));
        await Assert.ThrowsAsync<BlobRequestFailedException>(() => _service.GetBlobContainerClient(blob.BlobContainerName).GetBlobClient("missing").GetPropertiesAsync());

        lock (spans)
        {
            var upload = Assert.Single(spans, s => s.OperationName == "BlobClient.Upload" && (string?)s.GetTagItem("blob.name") == blob.Name);
            Assert.Equal(ActivityStatusCode.Unset, upload.Status);
            var failed = Assert.Single(spans, s => s.OperationName == "BlobClient.GetProperties" && (string?)s.GetTagItem("blob.container") == blob.BlobContainerName);
            Assert.Equal(ActivityStatusCode.Error, failed.Status);
            Assert.Equal("BlobNotFound", failed.GetTagItem("error.type"));
        }
    }

    async Task<BlobClient> NewBlobAsync()
    {
        var container = _service.GetBlobContainerClient(NewContainerName());
        await container.CreateIfNotExistsAsync();
        return container.GetBlobClient($"{Guid.NewGuid():N}.bin");
    }

    // Reads what Put Block List committed, with the client's own signing.
    async Task<IReadOnlyList<string>> GetCommittedBlockIdsAsync(BlobClient blob)
    {
        var transport = new BlobTransport(BlobConnectionInfo.Parse(azurite.ConnectionString), TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(blob.Uri + "?comp=blocklist&blocklisttype=committed"));
        using var response = await transport.SendAsync(request, CancellationToken.None);
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());
        return [.. xml.Descendants("Block").Select(b => b.Element("Name")!.Value)];
    }

    static string NewContainerName() => $"t{Guid.NewGuid():N}"[..30];

    static byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    static (long First, long Last) ParseContentRange(string contentRange)
    {
        var bounds = contentRange["bytes ".Length..contentRange.IndexOf('/')].Split('-');
        return (long.Parse(bounds[0]), long.Parse(bounds[1]));
    }

    /// <summary>A stream that cannot seek or tell its length, like a request body.</summary>
    sealed class UnknownLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
