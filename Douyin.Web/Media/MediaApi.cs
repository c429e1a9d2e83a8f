using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Douyin.Api.Media;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Douyin.Web.Media;

/// <summary>
/// Serves the media container (videos and covers) to clients: streamed from Blob storage, with byte ranges (players
/// seek with them), ETag revalidation and long-lived caching, so play_url and cover_url work from any client.
/// </summary>
public static class MediaApi
{
    public static IEndpointRouteBuilder MapMediaApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods(MediaPaths.UrlPrefix + "/{**name}", [HttpMethods.Get, HttpMethods.Head], GetMediaAsync)
            .WithTags("Media")
            .WithName("GetMedia")
            .WithSummary("A video or cover, whole or a byte range");
        return app;
    }

    static async Task<Results<EmptyHttpResult, ProblemHttpResult>> GetMediaAsync(
        string? name, HttpContext context, BlobServiceClient blobs, IOptions<MediaOptions> options, CancellationToken cancellationToken)
    {
        if (!MediaPaths.IsSafeBlobName(name))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid media path.",
                detail: "Media paths are letters, digits, '-', '_' and '.' in '/'-separated segments, without '.' or '..' segments.");
        }

        var blob = blobs.GetBlobContainerClient(MediaPaths.ContainerName).GetBlobClient(name!);
        var request = context.Request.GetTypedHeaders();
        var response = context.Response;
        try
        {
            var isHead = HttpMethods.IsHead(context.Request.Method);
            BlobProperties? properties = null;
            if (isHead || request.IfNoneMatch.Count > 0)
            {
                properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
                if (IsNotModified(request, properties.ETag.ToString("H")))
                {
                    WriteHeaders(response, properties.ETag, properties.LastModified, options.Value);
                    response.StatusCode = StatusCodes.Status304NotModified;
                    return TypedResults.Empty;
                }
                if (isHead)
                {
                    WriteHeaders(response, properties.ETag, properties.LastModified, options.Value);
                    response.ContentType = properties.ContentType ?? "application/octet-stream";
                    response.ContentLength = properties.ContentLength;
                    return TypedResults.Empty;
                }
            }

            if (IsEmptySuffix(request))
            {
                return await NotSatisfiableAsync(blob, response, cancellationToken);
            }
            var download = new BlobDownloadOptions();
            var requested = ToBlobRange(request);
            if (requested is { } asked)
            {
                download.Range = asked.Range;
                if (asked.SuffixLength is { } suffix)
                {
                    // The Blob service has no suffix ranges (bytes=-N): resolve it against the current length (the properties
                    // already read for If-None-Match serve), and pin the download to that version of the blob with If-Match.
                    properties ??= await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
                    download.Range = properties.ContentLength > 0 ? new HttpRange(Math.Max(0, properties.ContentLength - suffix)) : default;
                    download.Conditions = new BlobRequestConditions { IfMatch = properties.ETag };
                }
            }

            var streaming = await blob.DownloadStreamingAsync(download, cancellationToken);
            using var result = streaming.Value;
            var status = streaming.GetRawResponse().Status;
            var details = result.Details;
            // The SDK sends no Range for one that starts at 0 and is open (bytes=0-, the first request of most players, or
            // a suffix longer than the media), so storage answers 200: it is still the range asked for, the whole media.
            if (requested is not null && status == StatusCodes.Status200OK && details.ContentLength > 0)
            {
                status = StatusCodes.Status206PartialContent;
                response.Headers.ContentRange = $"bytes 0-{details.ContentLength - 1}/{details.ContentLength}";
            }
            WriteHeaders(response, details.ETag, details.LastModified, options.Value);
            response.StatusCode = status;
            response.ContentType = details.ContentType ?? "application/octet-stream";
            response.ContentLength = details.ContentLength;
            if (status == StatusCodes.Status206PartialContent && details.ContentRange is { } contentRange)
            {
                response.Headers.ContentRange = contentRange;
            }
            await result.Content.CopyToAsync(response.Body, cancellationToken);
            return TypedResults.Empty;
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such media.", detail: $"'{name}' does not exist.");
        }
        catch (RequestFailedException ex) when (ex.Status == StatusCodes.Status416RangeNotSatisfiable)
        {
            return await NotSatisfiableAsync(blob, response, cancellationToken);
        }
    }

    static async Task<ProblemHttpResult> NotSatisfiableAsync(BlobClient blob, HttpResponse response, CancellationToken cancellationToken)
    {
        var length = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ContentLength;
        response.Headers.ContentRange = $"bytes */{length}";
        return TypedResults.Problem(statusCode: StatusCodes.Status416RangeNotSatisfiable, title: "Range not satisfiable.",
            detail: $"The media is {length} bytes long.");
    }

    /// <summary>
    /// One range is passed on to storage; several (rare from players), or one that does not parse, get the whole blob,
    /// which HTTP allows. Values up to long.MaxValue parse, so the length is computed without overflowing: a last
    /// position past the end means "to the end", as for an open range.
    /// </summary>
    static RequestedRange? ToBlobRange(RequestHeaders request) =>
        request.Range is { Unit.Value: "bytes", Ranges.Count: 1 } range && range.Ranges.Single() is var r
            ? (r.From, r.To) switch
            {
                ({ } from, { } to) when to >= from => to - from < long.MaxValue ? new HttpRange(from, to - from + 1) : new HttpRange(from),
                ({ } from, null) => new HttpRange(from),
                (null, { } suffix) when suffix > 0 => RequestedRange.Suffix(suffix),
                _ => null,
            }
            : null;

    /// <summary><c>bytes=-0</c> asks for no bytes at all, which no representation satisfies (RFC 9110 §14.1.2).</summary>
    static bool IsEmptySuffix(RequestHeaders request) =>
        request.Range is { Unit.Value: "bytes", Ranges.Count: 1 } range && range.Ranges.Single() is { From: null, To: 0 };

    static bool IsNotModified(RequestHeaders request, string etag) =>
        request.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(EntityTagHeaderValue.Parse(etag), useStrongComparison: false));

    static void WriteHeaders(HttpResponse response, ETag etag, DateTimeOffset lastModified, MediaOptions options)
    {
        response.Headers.ETag = etag.ToString("H");
        response.Headers.LastModified = lastModified.ToString("R");
        response.Headers.CacheControl = options.CacheControl;
        response.Headers.AcceptRanges = "bytes";
    }

    /// <summary>A range as the request asks for it: one the Blob service takes, or the last <see cref="SuffixLength"/> bytes, which it does not.</summary>
    readonly record struct RequestedRange(HttpRange Range, long? SuffixLength = null)
    {
        public static implicit operator RequestedRange(HttpRange range) => new(range);

        public static RequestedRange Suffix(long length) => new(default, length);
    }
}
