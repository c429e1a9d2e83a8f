using System.Net.Http.Headers;

namespace Douyin.ServiceDefaults.Blobs;

/// <summary>Blob HTTP headers and transfer tuning for <see cref="BlobClient.UploadAsync"/>.</summary>
public sealed class BlobUploadOptions
{
    public string? ContentType { get; init; }
    public string? CacheControl { get; init; }
    public StorageTransferOptions TransferOptions { get; init; }
}

public readonly record struct StorageTransferOptions
{
    /// <summary>
    /// Block size in bytes (default 4 MiB): the one buffer an upload holds. Content that fits in a single
    /// block goes up in one Put Blob; anything longer goes as Put Block requests and a Put Block List.
    /// </summary>
    public int? MaximumTransferSize { get; init; }
}

/// <summary>A byte range of a blob: from <see cref="Offset"/>, <see cref="Length"/> bytes or to the end.</summary>
public readonly record struct HttpRange(long Offset = 0, long? Length = null)
{
    /// <summary>Set only by <see cref="Suffix"/>.</summary>
    public long? SuffixLength { get; private init; }

    /// <summary>The last <paramref name="length"/> bytes, like HTTP's <c>bytes=-N</c>.</summary>
    public static HttpRange Suffix(long length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        return new() { SuffixLength = length };
    }

    internal string ToHeaderValue()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Offset);
        return Length switch
        {
            null => $"bytes={Offset}-",
            < 1 => throw new ArgumentOutOfRangeException(nameof(Length), Length, "A range must hold at least one byte."),
            { } length => $"bytes={Offset}-{Offset + length - 1}",
        };
    }
}

public sealed record BlobContentInfo(string ETag, DateTimeOffset LastModified);

public sealed record BlobContainerItem(string Name);

/// <summary>A blob as List Blobs describes it.</summary>
public sealed record BlobItem(string Name, long ContentLength);

public sealed record BlobContainerProperties(string ETag, DateTimeOffset LastModified);

public sealed record BlobProperties(long ContentLength, string? ContentType, string? CacheControl, string ETag, DateTimeOffset LastModified);

/// <param name="ContentLength">The length of this response's body: the range's length for a range request.</param>
/// <param name="ContentRange">For a range request, e.g. <c>bytes 0-99/1000</c>.</param>
public sealed record BlobDownloadDetails(long ContentLength, string? ContentRange, string? ContentType, string? CacheControl, string ETag, DateTimeOffset LastModified);

/// <summary>A blob's content being streamed from the service. Dispose it to release the connection.</summary>
public sealed class BlobDownloadStreamingResult : IDisposable
{
    readonly HttpResponseMessage _response;

    internal BlobDownloadStreamingResult(HttpResponseMessage response, Stream content)
    {
        _response = response;
        Content = content;
        Status = (int)response.StatusCode;
        var headers = response.Content.Headers;
        Details = new(headers.ContentLength ?? 0, headers.ContentRange?.ToString(), ResponseHeaders.Raw(headers, "Content-Type"),
            ResponseHeaders.Raw(response.Headers, "Cache-Control"), ResponseHeaders.ETag(response), ResponseHeaders.LastModified(response));
    }

    public Stream Content { get; }
    public BlobDownloadDetails Details { get; }

    /// <summary>200 for the whole blob, 206 for a range.</summary>
    public int Status { get; }

    public void Dispose()
    {
        Content.Dispose();
        _response.Dispose();
    }
}

internal static class ResponseHeaders
{
    // Raw values, not the parsed header types, so callers see exactly what was stored with the blob.
    public static string? Raw(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    public static string ETag(HttpResponseMessage response) =>
        Raw(response.Headers, "ETag") ?? throw new InvalidOperationException("The Blob service answered without an ETag.");

    public static DateTimeOffset LastModified(HttpResponseMessage response) =>
        response.Content.Headers.LastModified ?? throw new InvalidOperationException("The Blob service answered without Last-Modified.");
}
